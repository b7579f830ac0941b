import { describe, expect, it } from "vitest";
import { authorisedCents, formatCents, formatGrams, formatMoney, fromCents, halfUp, isValidPriceInput, lineCostCents, toCents, weightCostCents } from "./money";

describe("money", () => {
  it("parses decimal strings into integer cents without float error", () => {
    expect(toCents("3.49")).toBe(349);
    expect(toCents("0.1")).toBe(10);
    expect(toCents("12")).toBe(1200);
    expect(toCents("-1.05")).toBe(-105);
    // 0.1 + 0.2 in floats is 0.30000000000000004; in cents it is exact.
    expect(toCents("0.10") + toCents("0.20")).toBe(toCents("0.30"));
    expect(() => toCents("1.999")).toThrow();
    expect(() => toCents("abc")).toThrow();
  });

  it("formats back to two-place strings", () => {
    expect(fromCents(349)).toBe("3.49");
    expect(fromCents(5)).toBe("0.05");
    expect(fromCents(-105)).toBe("-1.05");
  });

  it("formats with the currency", () => {
    const expected = new Intl.NumberFormat(undefined, { style: "currency", currency: "USD" }).format(3.49);
    expect(formatMoney("3.49", "usd")).toBe(expected);
    expect(formatCents(1047, "eur")).toBe(new Intl.NumberFormat(undefined, { style: "currency", currency: "EUR" }).format(10.47));
  });

  it("validates typed prices like the API does", () => {
    expect(isValidPriceInput("3.49")).toBe(true);
    expect(isValidPriceInput("3")).toBe(true);
    expect(isValidPriceInput("3.499")).toBe(false);
    expect(isValidPriceInput("-1")).toBe(false);
    expect(isValidPriceInput("1234567")).toBe(false);
  });

  it("prices a weight per kg in integer cents, rounded half up once per line", () => {
    expect(weightCostCents(320, 750)).toBe(240); // $3.20/kg x 750 g
    expect(weightCostCents(2850, 150)).toBe(428); // 427.5 -> 428 (half up)
    expect(weightCostCents(1690, 100)).toBe(169);
    expect(weightCostCents(1180, 250)).toBe(295);
    expect(weightCostCents(333, 500)).toBe(167); // 166.5 -> 167
    expect(weightCostCents(333, 499)).toBe(166); // 166.167 -> 166
    expect(weightCostCents(0, 500)).toBe(0);
    expect(halfUp(5, 10)).toBe(1);
    expect(halfUp(4, 10)).toBe(0);
    expect(lineCostCents(420, "unit", 3)).toBe(1260);
    expect(lineCostCents(320, "weight", 1000)).toBe(320);
    // A big line stays exact: $99,999.99/kg x 100 kg.
    expect(weightCostCents(9_999_999, 100_000)).toBe(999_999_900);
  });

  it("authorises unit lines as they are and weighed lines with a 10% margin, rounded up", () => {
    expect(authorisedCents(1000, 0)).toBe(1000);
    expect(authorisedCents(0, 240)).toBe(264);
    expect(authorisedCents(420, 428)).toBe(420 + 471); // 470.8 -> 471
    expect(authorisedCents(0, 1)).toBe(2); // 1.1 -> 2
  });

  it("words weights as the API does", () => {
    expect(formatGrams(250)).toBe("250 g");
    expect(formatGrams(1000)).toBe("1 kg");
    expect(formatGrams(1500)).toBe("1.5 kg");
    expect(formatGrams(1250)).toBe("1.25 kg");
    expect(formatGrams(20_050)).toBe("20.05 kg");
  });
});
