import { describe, expect, it } from "vitest";
import type { OrderStatus } from "./api/models";
import { countLabel, EMPTY_TAB, orderActions, tabCount } from "./orders";

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

describe("the seller's tab counts", () => {
  const counts = {
    by_status: [
      { status: "confirmed" as const, count: 3 },
      { status: "packed" as const, count: 1 },
      { status: "out_for_delivery" as const, count: 0 },
      { status: "delivered" as const, count: 1000 },
      { status: "cancelled" as const, count: 2 },
    ],
    limit: 1000,
  };

  it("counts one status per tab, and every status on the All tab", () => {
    expect(tabCount(counts, "confirmed")).toBe(3);
    expect(tabCount(counts, "out_for_delivery")).toBe(0);
    expect(tabCount(counts, "")).toBe(1006);
  });

  it("says 'or more' at the limit the API stops counting at", () => {
    expect(countLabel(3, 1000)).toBe("3");
    expect(countLabel(1000, 1000)).toBe("1000+");
    expect(countLabel(tabCount(counts, ""), counts.limit)).toBe("1000+");
  });

  it("says in words what every empty tab waits for", () => {
    expect(EMPTY_TAB.confirmed).toBe("Nothing to pack. New orders appear here once the shopper's card is authorised.");
    for (const status of ["", ...counts.by_status.map((row) => row.status)] as const) expect(EMPTY_TAB[status]).toMatch(/appear here/);
  });
});
