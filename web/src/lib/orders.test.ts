import { describe, expect, it } from "vitest";
import type { OrderStatus } from "./api/models";
import { orderActions } from "./orders";

const actions = (allowed: OrderStatus[]) => orderActions({ allowed_transitions: allowed });

describe("orderActions", () => {
  it("offers exactly the moves the server allows, fulfilment first and cancelling last", () => {
    expect(actions(["cancelled", "packed"])).toEqual([
      { status: "packed", label: "Mark packed (as ordered)" },
      { status: "cancelled", label: "Cancel order", destructive: true },
    ]);
    expect(actions(["out_for_delivery"])).toEqual([{ status: "out_for_delivery", label: "Mark out for delivery" }]);
    expect(actions(["delivered"]).map((action) => action.label)).toEqual(["Mark delivered"]);
  });

  it("offers nothing when the server allows nothing (a delivered order, another seller's order)", () => {
    expect(actions([])).toEqual([]);
    expect(orderActions({} as { allowed_transitions: OrderStatus[] })).toEqual([]);
  });

  it("labels a move it has no wording for from the status name rather than hiding it", () => {
    expect(actions(["confirmed"])).toEqual([{ status: "confirmed", label: "Mark confirmed" }]);
  });
});
