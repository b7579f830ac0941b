import { beforeEach, describe, expect, it } from "vitest";
import { makeProduct } from "@/test/utils";
import {
  basket,
  basketAuthorisedCents,
  basketCount,
  basketTotalCents,
  groupBySeller,
  lineEstimateCents,
  migrateLine,
  reloadBasket,
  snapWeight,
} from "./basket";

const apples = makeProduct({
  id: "loose-apples",
  name: "Loose apples",
  price: "3.20",
  unit: "kg",
  sold_by: "weight",
  min_weight_g: 250,
  step_g: 250,
  stock: 20_000,
  unit_price: { amount: "3.20", basis: "kg", label: "$3.20/kg" },
});

describe("basket", () => {
  beforeEach(() => basket.clear());

  it("adds, merges and caps quantities at the stock", () => {
    const apples = makeProduct({ id: "a", stock: 3 });
    basket.add(apples, 2);
    basket.add(apples, 5);
    expect(basket.get()).toHaveLength(1);
    expect(basket.get()[0].quantity).toBe(3);
  });

  it("ignores sold-out products", () => {
    basket.add(makeProduct({ id: "gone", stock: 0 }));
    expect(basket.get()).toEqual([]);
  });

  it("persists to localStorage so it survives a reload", () => {
    basket.add(makeProduct({ id: "a" }), 2);
    const stored = JSON.parse(localStorage.getItem("sg.basket.v2")!);
    expect(stored[0]).toMatchObject({ quantity: 2, weight_g: null, substitution: "none", product: { id: "a", name: "Honeycrisp apples", price: "3.49" } });
  });

  it("removes a line when its quantity drops to zero", () => {
    basket.add(makeProduct({ id: "a" }), 1);
    basket.setQuantity("a", 0);
    expect(basket.get()).toEqual([]);
  });

  it("totals in cents and groups lines by seller", () => {
    basket.add(makeProduct({ id: "a", price: "0.10", seller_id: "s1", seller_name: "Farm" }), 3);
    basket.add(makeProduct({ id: "b", price: "2.20", seller_id: "s2", seller_name: "Bakery" }), 1);
    basket.add(makeProduct({ id: "c", price: "1.00", seller_id: "s1", seller_name: "Farm" }), 1);
    expect(basketTotalCents(basket.get())).toBe(30 + 220 + 100);
    expect(basketCount(basket.get())).toBe(5);
    const groups = groupBySeller(basket.get());
    expect(groups.map((group) => [group.sellerName, group.lines.length])).toEqual([
      ["Farm", 2],
      ["Bakery", 1],
    ]);
  });

  it("refreshes remembered price and stock from fresh product data", () => {
    basket.add(makeProduct({ id: "a", price: "1.00" }), 1);
    basket.refresh([makeProduct({ id: "a", price: "1.50", stock: 4 })]);
    expect(basket.get()[0].product).toMatchObject({ price: "1.50", stock: 4 });
  });

  it("holds grams for a weighed product: its minimum first, then in its steps, within the stock", () => {
    basket.add(apples);
    expect(basket.get()[0]).toMatchObject({ quantity: null, weight_g: 250, substitution: "none" });
    basket.add(apples, 500);
    expect(basket.get()[0].weight_g).toBe(750);
    basket.setWeight("loose-apples", 880); // snapped to the nearest step
    expect(basket.get()[0].weight_g).toBe(1000);
    basket.setWeight("loose-apples", 10); // never below the minimum: removing is its own action
    expect(basket.get()[0].weight_g).toBe(250);
    basket.add(makeProduct({ ...apples, id: "scarce", stock: 600 }), 5_000);
    expect(basket.get()[1].weight_g).toBe(500);
    expect(basketCount(basket.get())).toBe(2); // a bag of apples is one thing in the basket
  });

  it("keeps the substitution choice per line", () => {
    basket.add(makeProduct({ id: "a" }), 1);
    basket.setSubstitution("a", "similar");
    basket.add(makeProduct({ id: "a" }), 1);
    expect(basket.get()[0]).toMatchObject({ quantity: 2, substitution: "similar" });
  });

  it("estimates weighed lines in integer cents, half up, once per line", () => {
    basket.add(apples, 750); // 3.20/kg x 0.75 kg = 2.40
    basket.add(makeProduct({ id: "comte", price: "28.50", sold_by: "weight", min_weight_g: 100, step_g: 50, stock: 5_000 }), 150); // 4.275 -> 4.28
    basket.add(makeProduct({ id: "bread", price: "4.20" }), 2);
    expect(basket.get().map(lineEstimateCents)).toEqual([240, 428, 840]);
    expect(basketTotalCents(basket.get())).toBe(240 + 428 + 840);
  });

  it("works out the hold per seller: unit lines plus weighed lines with 10%, rounded up", () => {
    basket.add(apples, 750); // 240 -> 264
    basket.add(makeProduct({ id: "comte", seller_id: "s2", price: "28.50", sold_by: "weight", min_weight_g: 100, step_g: 50, stock: 5_000 }), 150); // 428 -> 470.8 -> 471
    basket.add(makeProduct({ id: "bread", seller_id: "s2", price: "4.20" }), 1); // 420, no margin
    expect(basketAuthorisedCents(basket.get())).toBe(264 + 471 + 420);
  });

  it("snaps a weight to what the rules and the stock allow", () => {
    const rules = { min_weight_g: 100, step_g: 50, stock: 1_020 };
    expect(snapWeight(rules, 130)).toBe(150);
    expect(snapWeight(rules, 40)).toBe(100);
    expect(snapWeight(rules, 5_000)).toBe(1_000);
    expect(snapWeight({ ...rules, stock: 80 }, 100)).toBe(0);
  });

  it("migrates a basket stored before weights existed, dropping lines it cannot read", () => {
    localStorage.setItem(
      "sg.basket.v1",
      JSON.stringify([
        { product: { id: "a", name: "Bread", price: "4.20", currency: "usd", unit: "each", stock: 9, seller_id: "s1", seller_name: "Bakery", image: null }, quantity: 2 },
        { product: { id: "b" }, quantity: 0 },
        { nonsense: true },
      ]),
    );
    localStorage.removeItem("sg.basket.v2");
    reloadBasket();
    expect(basket.get()).toEqual([
      {
        product: expect.objectContaining({ id: "a", name: "Bread", sold_by: "unit", min_weight_g: null, step_g: null, unit_price_label: null }),
        quantity: 2,
        weight_g: null,
        substitution: "none",
      },
    ]);
    expect(localStorage.getItem("sg.basket.v1")).toBeNull();
    expect(JSON.parse(localStorage.getItem("sg.basket.v2")!)).toHaveLength(1);
  });

  it("reads a stored weighed line, and turns an old count into grams once the product says it is weighed", () => {
    expect(migrateLine({ product: { id: "w", sold_by: "weight", min_weight_g: 250, step_g: 250 }, weight_g: 750, substitution: "similar" })).toMatchObject({
      quantity: null,
      weight_g: 750,
      substitution: "similar",
    });
    expect(migrateLine({ product: { id: "w", sold_by: "weight" }, quantity: 2 })).toBeNull();
    basket.add(makeProduct({ id: "loose-apples", sold_by: "unit", stock: 5 }), 2);
    basket.refresh([apples]);
    expect(basket.get()[0]).toMatchObject({ quantity: null, weight_g: 250 });
  });

  it("survives a corrupt stored basket", () => {
    localStorage.setItem("sg.basket.v2", "{not json");
    reloadBasket();
    expect(basket.get()).toEqual([]);
  });
});
