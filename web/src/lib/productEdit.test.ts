import { describe, expect, it } from "vitest";
import { makeProduct } from "@/test/utils";
import { changedFields, differences, fromProduct, rebase, sameEditableValues } from "./productEdit";

const base = makeProduct({ name: "Pears", description: "Ripe", price: "2.50", stock: 10, unit: "kg", etag: '"r1.s10"' });

describe("changedFields", () => {
  it("sends only what the seller changed, in the API's types", () => {
    const form = { ...fromProduct(base), description: "  Ripe and sweet ", stock: "12" };
    expect(changedFields(form, base)).toEqual({ description: "Ripe and sweet", stock: 12 });
  });

  it("treats the same value written differently as unchanged", () => {
    const form = { ...fromProduct(base), price: "2.5", unit: " kg ", stock: "010" };
    expect(changedFields(form, base)).toEqual({});
  });
});

describe("after a 412", () => {
  const current = { ...base, stock: 7, etag: '"r2.s7"' }; // a shopper reserved 3
  const form = { ...fromProduct(base), description: "Ripe and sweet" };

  it("lists field by field what differs between the form and the product now", () => {
    expect(differences(form, base, current)).toEqual([
      { field: "description", label: "Description", yours: "Ripe and sweet", now: "Ripe", changedByYou: true, changedMeanwhile: false },
      { field: "stock", label: "Stock", yours: "10", now: "7", changedByYou: false, changedMeanwhile: true },
    ]);
  });

  it("reload takes what changed meanwhile and keeps the seller's other edits", () => {
    const reloaded = rebase(form, base, current);
    expect(reloaded).toEqual({ ...form, stock: "7" });
    expect(changedFields(reloaded, current)).toEqual({ description: "Ripe and sweet" });
  });

  it("a field changed on both sides takes the current value", () => {
    const both = { ...form, stock: "15" };
    expect(differences(both, base, current).find((row) => row.field === "stock")).toMatchObject({ changedByYou: true, changedMeanwhile: true });
    expect(rebase(both, base, current).stock).toBe("7");
  });
});

describe("sameEditableValues", () => {
  it("ignores photos and the etag, not stock", () => {
    expect(sameEditableValues(base, { ...base, images: ["https://img/a.png"], etag: '"r2.s10"' })).toBe(true);
    expect(sameEditableValues(base, { ...base, stock: 9, etag: '"r2.s9"' })).toBe(false);
  });
});
