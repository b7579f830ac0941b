import { describe, expect, it } from "vitest";
import type { Order, OrderStatus, User } from "./api/types";
import { availableActions } from "./orders";

const base: Order = {
  id: "o1",
  checkout_id: "c1",
  user_id: "buyer",
  seller_id: "seller",
  seller_name: "Farm",
  items: [],
  total: "1.00",
  currency: "usd",
  status: "paid",
  payment_status: "paid",
  shipping_address: { full_name: "A", line1: "1", city: "X", postal_code: "12", country: "US" },
  status_history: [],
  created_at: "2025-01-01T00:00:00Z",
  updated_at: "2025-01-01T00:00:00Z",
  allowed_transitions: [],
};
const person = (id: string, role: User["role"]): User => ({ id, role, email: `${id}@x.test`, full_name: id, is_active: true, created_at: "" });
const moves = (status: OrderStatus, user: User) => availableActions({ ...base, status }, user).map((action) => action.status);

describe("availableActions", () => {
  const buyer = person("buyer", "shopper");
  const seller = person("seller", "seller");
  const otherSeller = person("other", "seller");
  const admin = person("admin", "admin");

  it("lets the seller advance fulfilment one step at a time", () => {
    expect(moves("paid", seller)).toEqual(["packed", "cancelled"]);
    expect(moves("packed", seller)).toEqual(["out_for_delivery"]);
    expect(moves("out_for_delivery", seller)).toEqual(["delivered"]);
    expect(moves("delivered", seller)).toEqual([]);
  });

  it("lets the buyer cancel only before packing", () => {
    expect(moves("pending_payment", buyer)).toEqual(["cancelled"]);
    expect(moves("paid", buyer)).toEqual(["cancelled"]);
    expect(moves("packed", buyer)).toEqual([]);
  });

  it("gives other sellers nothing and admins a cancel until delivery", () => {
    expect(moves("paid", otherSeller)).toEqual([]);
    expect(moves("out_for_delivery", admin)).toEqual(["cancelled"]);
    expect(moves("delivered", admin)).toEqual([]);
  });
});
