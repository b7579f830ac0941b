import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeLine, makeOrder, makePayment, makeProduct } from "@/test/utils";
import { basket } from "./basket";
import { awaitingItems, basketItems, groupByCheckout, isPayable, itemsKey, openCheckout, settlePaidCheckout } from "./checkouts";
import type { Checkout } from "./api/models";

const NOW = Date.parse("2025-03-01T10:00:00Z");
const later = (minutes: number) => new Date(NOW + minutes * 60_000).toISOString();

describe("groupByCheckout", () => {
  it("makes one entry per checkout with its per-seller orders, newest checkout first", () => {
    const trips = groupByCheckout(
      [
        makeOrder({ id: "a1", checkout_id: "A", seller_name: "Farm", total: "2.00", created_at: "2025-03-01T09:00:00Z" }),
        makeOrder({ id: "b1", checkout_id: "B", seller_name: "Farm", total: "1.50", created_at: "2025-03-01T09:30:00Z" }),
        makeOrder({ id: "a2", checkout_id: "A", seller_name: "Bakery", total: "3.25", created_at: "2025-03-01T09:00:00Z" }),
        makeOrder({ id: "c1", checkout_id: "C", created_at: "2025-02-27T12:00:00Z" }),
      ],
      NOW,
    );
    expect(trips.map((trip) => trip.checkoutId)).toEqual(["B", "A", "C"]);
    expect(trips[1].orders.map((order) => order.id)).toEqual(["a1", "a2"]);
    expect(trips[1].totalCents).toBe(525);
    expect(trips[1].placedAt).toBe("2025-03-01T09:00:00Z");
  });

  it("offers payment only while a trip awaits payment and has not expired, with the last decline", () => {
    const [open, expired, paid] = groupByCheckout(
      [
        makeOrder({ id: "o1", checkout_id: "open", status: "pending_payment", payment_status: "unpaid", expires_at: later(12), payment_error: "Your card was declined.", created_at: "2025-03-01T09:50:00Z" }),
        makeOrder({ id: "o2", checkout_id: "open", status: "cancelled", payment_status: "unpaid", created_at: "2025-03-01T09:50:00Z" }),
        makeOrder({ id: "o3", checkout_id: "expired", status: "pending_payment", payment_status: "unpaid", expires_at: later(-1), created_at: "2025-03-01T09:00:00Z" }),
        makeOrder({ id: "o4", checkout_id: "paid", status: "confirmed", created_at: "2025-03-01T08:00:00Z" }),
      ],
      NOW,
    );
    expect(open).toMatchObject({ checkoutId: "open", payable: true, expiresAt: later(12), paymentError: "Your card was declined." });
    expect(open.awaiting.map((order) => order.id)).toEqual(["o1"]);
    expect(expired).toMatchObject({ checkoutId: "expired", payable: false });
    expect(paid).toMatchObject({ checkoutId: "paid", payable: false, awaiting: [], paymentError: null });
  });
});

describe("isPayable", () => {
  const checkout = (overrides: Partial<Checkout>): Checkout => ({
    checkout_id: "c1",
    status: "pending_payment",
    amount: "3.49",
    estimated_total: "3.49",
    captured: null,
    currency: "usd",
    expires_at: later(10),
    payment_error: null,
    orders: [],
    payment: makePayment({ client_secret: "cs", amount: "3.49", estimated_total: "3.49" }),
    ...overrides,
  });
  it("needs an open checkout with a payment to resume, before it expires", () => {
    expect(isPayable(checkout({}), NOW)).toBe(true);
    expect(isPayable(checkout({ expires_at: later(-1) }), NOW)).toBe(false);
    expect(isPayable(checkout({ payment: null }), NOW)).toBe(false);
    expect(isPayable(checkout({ status: "authorized" }), NOW)).toBe(false);
    expect(isPayable(null, NOW)).toBe(false);
  });
});

describe("comparing a basket with a checkout", () => {
  it("compares quantities per product whatever the order of lines or orders", () => {
    const apples = makeProduct({ id: "apples" });
    const bread = makeProduct({ id: "bread", seller_id: "s2" });
    basket.clear();
    basket.add(bread, 1);
    basket.add(apples, 2);
    const orders = [
      makeOrder({ id: "o1", status: "pending_payment", items: [makeLine({ product_id: "apples", name: "A", unit: "kg", unit_price: "1.00", quantity: 2, line_total: "2.00" })] }),
      makeOrder({ id: "o2", status: "pending_payment", items: [makeLine({ product_id: "bread", name: "B", unit: "each", unit_price: "1.00", quantity: 1, line_total: "1.00" })] }),
    ];
    expect(itemsKey(basketItems(basket.get()))).toBe(itemsKey(awaitingItems(orders)));
    basket.add(apples, 1);
    expect(itemsKey(basketItems(basket.get()))).not.toBe(itemsKey(awaitingItems(orders)));
    // A cancelled order is no longer part of what is to be paid.
    expect(itemsKey(awaitingItems([orders[0], { ...orders[1], status: "cancelled" }]))).toBe("apples:2");
  });
});

describe("the open checkout this browser remembers", () => {
  const apples = makeProduct({ id: "apples", stock: 50 });
  const bread = makeProduct({ id: "bread", stock: 50 });
  beforeEach(() => basket.clear());
  afterEach(() => basket.clear());

  it("is kept per user and forgotten only for its own id", () => {
    openCheckout.remember({ checkoutId: "c1", userId: "u1", items: [] });
    expect(openCheckout.get("u1")?.checkoutId).toBe("c1");
    expect(openCheckout.get("u2")).toBeNull();
    openCheckout.forget("other");
    expect(openCheckout.get("u1")).not.toBeNull();
    openCheckout.forget("c1");
    expect(openCheckout.get("u1")).toBeNull();
  });

  it("once paid, takes exactly what it bought out of the basket, once", () => {
    basket.add(apples, 3);
    basket.add(bread, 1);
    openCheckout.remember({ checkoutId: "c1", userId: "u1", items: [{ product_id: "apples", quantity: 2 }, { product_id: "bread", quantity: 1 }] });
    settlePaidCheckout("c1");
    expect(basket.get().map((line) => [line.product.id, line.quantity])).toEqual([["apples", 1]]);
    settlePaidCheckout("c1");
    expect(basket.get().map((line) => [line.product.id, line.quantity])).toEqual([["apples", 1]]);
    expect(openCheckout.get("u1")).toBeNull();
  });

  it("leaves the basket alone for a checkout it did not place", () => {
    basket.add(apples, 2);
    openCheckout.remember({ checkoutId: "c1", userId: "u1", items: [{ product_id: "apples", quantity: 2 }] });
    settlePaidCheckout("c2");
    expect(basket.get()).toHaveLength(1);
    expect(openCheckout.get("u1")?.checkoutId).toBe("c1");
  });
});
