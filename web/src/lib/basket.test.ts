import { beforeEach, describe, expect, it } from "vitest";
import { makeProduct } from "@/test/utils";
import { basket, basketCount, basketTotalCents, groupBySeller } from "./basket";

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
    const stored = JSON.parse(localStorage.getItem("sg.basket.v1")!);
    expect(stored[0]).toMatchObject({ quantity: 2, product: { id: "a", name: "Honeycrisp apples", price: "3.49" } });
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
});
