import { describe, expect, it } from "vitest";
import { basketCount, type BasketLine } from "./basket";
import { countItems, itemsLabel, plural } from "./counts";
import { itemCount } from "./orders";
import { makeLine, makeOrder } from "@/test/utils";

describe("counting items", () => {
  it("counts a unit line's quantity and a weighed line as one item", () => {
    expect(countItems([{ sold_by: "unit", quantity: 3, weight_g: null }])).toBe(3);
    expect(countItems([{ sold_by: "weight", quantity: null, weight_g: 2000 }])).toBe(1); // 2 kg of apples: one item
    expect(countItems([{ sold_by: "unit", quantity: 2, weight_g: null }, { sold_by: "weight", quantity: null, weight_g: 750 }])).toBe(3);
    expect(countItems([])).toBe(0);
  });

  it("treats a line with grams and no count as weighed, even without sold_by", () => {
    expect(countItems([{ quantity: null, weight_g: 500 }, { quantity: 4 }])).toBe(5);
  });

  it("counts a basket and an order the same way", () => {
    const product = { id: "p", name: "Apples", price: "4.00", currency: "usd", unit: "kg", stock: 10_000, seller_id: "s", seller_name: "Farm", image: null, min_weight_g: 100, step_g: 50, unit_price_label: null };
    const basket: BasketLine[] = [
      { product: { ...product, sold_by: "weight" }, quantity: null, weight_g: 2000, substitution: "none" },
      { product: { ...product, id: "q", sold_by: "unit", unit: "each" }, quantity: 2, weight_g: null, substitution: "none" },
    ];
    const order = makeOrder({
      items: [makeLine({ sold_by: "weight", quantity: null, weight_g: 2000 }), makeLine({ line_id: "2", sold_by: "unit", quantity: 2, weight_g: null })],
    });
    expect(basketCount(basket)).toBe(3);
    expect(itemCount(order)).toBe(3);
    expect(order.item_count).toBe(3); // what the API sends, by the same rule
  });
});

describe("plurals", () => {
  it("says one thing in the singular and everything else in the plural", () => {
    expect(plural(1, "item")).toBe("1 item");
    expect(plural(2, "item")).toBe("2 items");
    expect(plural(0, "item")).toBe("0 items");
    expect(plural(1, "product")).toBe("1 product");
    expect(plural(12, "product")).toBe("12 products");
    expect(plural(1, "box", "boxes")).toBe("1 box");
    expect(plural(3, "box", "boxes")).toBe("3 boxes");
  });

  it("labels lines with their item count", () => {
    expect(itemsLabel([{ sold_by: "weight", quantity: null, weight_g: 2000 }])).toBe("1 item");
    expect(itemsLabel([{ sold_by: "unit", quantity: 2, weight_g: null }])).toBe("2 items");
  });
});
