import { describe, expect, it } from "vitest";
import type { DeliveryWindow, SellerSlots } from "./api/models";
import { basket } from "./basket";
import {
  basketBySeller,
  deliveryFeeCents,
  describeOrderWindow,
  freeDeliveryProgress,
  fulfilmentRequest,
  minimumShortfallCents,
  orderAuthorisedCents,
  parseSlotId,
  sellerOfError,
  sellerWindowDays,
  windowsByDay,
} from "./fulfilment";
import { makeProduct } from "@/test/utils";


const window = (slot_id: string, overrides: Partial<DeliveryWindow> = {}): DeliveryWindow => {
  const [, method, date, start] = /^(delivery|pickup)-(\d{4}-\d{2}-\d{2})-(\d{2}:\d{2})$/.exec(slot_id)!;
  return {
    slot_id,
    method: method as DeliveryWindow["method"],
    start: `${date}T${start}:00Z`,
    end: `${date}T${start}:00Z`,
    local_date: date,
    local_start: start,
    local_end: "12:00",
    label: `Day, ${start}-12:00`,
    cutoff_at: `${date}T00:00:00Z`,
    remaining: 5,
    ...overrides,
  };
};

const greenfields: SellerSlots = {
  seller_id: "s1",
  seller_name: "Greenfields Farm",
  timezone: "America/New_York",
  items: [window("delivery-2026-03-03-09:00"), window("pickup-2026-03-07-09:00"), window("delivery-2026-03-06-09:00")],
  delivery: { fee: "4.00", free_over: "40.00", min_order: "15.00", cutoff_hours: 12 },
  pickup: { address: "240 Orchard Road", cutoff_hours: 12 },
};
const bakehouse: SellerSlots = {
  seller_id: "s2",
  seller_name: "The Bakehouse",
  timezone: "America/New_York",
  items: [window("pickup-2026-03-03-07:00")],
  delivery: null,
  pickup: { address: "12 Mill Lane", cutoff_hours: 2 },
};

describe("fees, minimums and free delivery", () => {
  it("charges the fee below the threshold and nothing from it (at it too); pickup is free", () => {
    expect(deliveryFeeCents(greenfields, "delivery", 3999)).toBe(400);
    expect(deliveryFeeCents(greenfields, "delivery", 4000)).toBe(0);
    expect(deliveryFeeCents(greenfields, "pickup", 100)).toBe(0);
    expect(deliveryFeeCents(null, "delivery", 100)).toBe(0);
    expect(deliveryFeeCents({ ...greenfields, delivery: { ...greenfields.delivery!, free_over: null } }, "delivery", 1_000_000)).toBe(400);
  });

  it("counts the shortfall to the delivery minimum; pickup has none", () => {
    expect(minimumShortfallCents(greenfields, "delivery", 1050)).toBe(450);
    expect(minimumShortfallCents(greenfields, "delivery", 1500)).toBe(0);
    expect(minimumShortfallCents(greenfields, "pickup", 100)).toBe(0);
  });

  it("measures the progress to free delivery, and has none when there is nothing to win", () => {
    expect(freeDeliveryProgress(greenfields, 3550)).toEqual({ thresholdCents: 4000, feeCents: 400, remainingCents: 450, reached: false, percent: 88 });
    expect(freeDeliveryProgress(greenfields, 5000)).toMatchObject({ remainingCents: 0, reached: true, percent: 100 });
    expect(freeDeliveryProgress(bakehouse, 100)).toBeNull();
    expect(freeDeliveryProgress({ ...greenfields, delivery: { ...greenfields.delivery!, fee: "0.00" } }, 100)).toBeNull();
    expect(freeDeliveryProgress({ ...greenfields, delivery: { ...greenfields.delivery!, free_over: null } }, 100)).toBeNull();
  });
});

describe("the basket grouped by seller", () => {
  it("gives each seller its goods, fee if delivered, shortfall and progress; pickup-only and own-delivery sellers pay nothing", () => {
    basket.clear();
    basket.add(makeProduct({ id: "a", price: "3.50", seller_id: "s1", seller_name: "Greenfields Farm" }), 3); // 10.50
    basket.add(makeProduct({ id: "b", price: "4.00", seller_id: "s2", seller_name: "The Bakehouse" }), 1);
    basket.add(makeProduct({ id: "c", price: "2.00", seller_id: "s3", seller_name: "Corner Pantry" }), 1);
    basket.add(makeProduct({ id: "d", price: "1.00", seller_id: "s1", seller_name: "Greenfields Farm" }), 1); // 11.50 in all
    const groups = basketBySeller(basket.get(), { s1: greenfields, s2: bakehouse, s3: null });
    expect(groups.map((group) => [group.sellerName, group.lines.length, group.goodsCents, group.deliveryFeeCents, group.shortfallCents, group.methods])).toEqual([
      ["Greenfields Farm", 2, 1150, 400, 350, ["delivery", "pickup"]],
      ["The Bakehouse", 1, 400, 0, 0, ["pickup"]],
      ["Corner Pantry", 1, 200, 0, 0, []],
    ]);
    expect(groups[0].progress).toMatchObject({ remainingCents: 2850 });
    expect(groups[2].terms).toBeNull();
    basket.clear();
  });

  it("authorises an order's goods, weighed lines with the margin, plus its fee", () => {
    basket.clear();
    basket.add(makeProduct({ id: "a", price: "2.00" }), 2);
    basket.add(makeProduct({ id: "m", price: "10.00", sold_by: "weight", min_weight_g: 500, step_g: 100, stock: 5000 }), 500);
    expect(orderAuthorisedCents(basket.get(), 400)).toBe(400 + 550 + 400);
    basket.clear();
  });
});

describe("windows", () => {
  it("groups a method's windows by local day, days and windows in time order", () => {
    const days = windowsByDay(
      [window("delivery-2026-03-06-09:00"), window("delivery-2026-03-03-13:00"), window("pickup-2026-03-03-08:00"), window("delivery-2026-03-03-09:00")],
      "delivery",
    );
    expect(days.map((day) => [day.date, day.label, day.windows.map((item) => item.slot_id)])).toEqual([
      ["2026-03-03", "Tuesday 3 March", ["delivery-2026-03-03-09:00", "delivery-2026-03-03-13:00"]],
      ["2026-03-06", "Friday 6 March", ["delivery-2026-03-06-09:00"]],
    ]);
    expect(windowsByDay(greenfields.items).map((day) => day.date)).toEqual(["2026-03-03", "2026-03-06", "2026-03-07"]);
  });

  it("builds the checkout's fulfilment from the choices and lists the sellers still to choose", () => {
    const terms = { s1: greenfields, s2: bakehouse, s3: null };
    expect(fulfilmentRequest(["s1", "s2", "s3"], terms, { s1: { method: "delivery", slotId: "delivery-2026-03-03-09:00" }, s2: { method: "pickup", slotId: null } })).toEqual({
      fulfilment: { s1: { method: "delivery", slot_id: "delivery-2026-03-03-09:00" } },
      missing: ["s2"],
    });
    // A window no longer offered is not a choice.
    expect(fulfilmentRequest(["s2"], terms, { s2: { method: "pickup", slotId: "pickup-2026-01-01-07:00" } }).missing).toEqual(["s2"]);
  });

  it("tells which seller an error is about: by id, by the window chosen, or by the name it starts with", () => {
    const sellers = [
      { sellerId: "s1", sellerName: "Greenfields Farm" },
      { sellerId: "s2", sellerName: "The Bakehouse" },
    ];
    const choices = { s1: { method: "pickup" as const, slotId: "pickup-2026-03-07-09:00" }, s2: { method: "pickup" as const, slotId: "pickup-2026-03-07-09:00" } };
    expect(sellerOfError({ seller_id: "s2", slot_id: "x" }, "", sellers, choices)).toBe("s2");
    expect(sellerOfError({ slot_id: "pickup-2026-03-07-09:00" }, "The Bakehouse: orders for ... closed", sellers, choices)).toBe("s2");
    expect(sellerOfError({ slot_id: "pickup-2026-03-07-09:00" }, "closed", sellers, { s1: choices.s1 })).toBe("s1");
    expect(sellerOfError(null, "Greenfields Farm takes delivery orders from 15.00", sellers, {})).toBe("s1");
    expect(sellerOfError(null, "Something else", sellers, {})).toBeNull();
  });

  it("lists the seller's windows by day from upcoming windows and orders' windows", () => {
    const days = sellerWindowDays(
      [window("delivery-2026-03-06-09:00", { local_end: "12:00" })],
      [
        { method: "delivery", slot_id: "delivery-2026-03-03-09:00", start: "", end: "", local_date: "2026-03-03", label: "Tuesday 3 March, 09:00-12:00", address: null },
        null,
      ],
      ["pickup-2026-03-03-07:00"],
    );
    expect(days.map((day) => [day.date, day.windows.map((item) => `${item.slotId} ${item.time}`)])).toEqual([
      ["2026-03-03", ["pickup-2026-03-03-07:00 07:00", "delivery-2026-03-03-09:00 09:00–12:00"]],
      ["2026-03-06", ["delivery-2026-03-06-09:00 09:00–12:00"]],
    ]);
    expect(parseSlotId("delivery-2026-03-29-09:00")).toEqual({ method: "delivery", localDate: "2026-03-29", start: "09:00" });
    expect(parseSlotId("delivery-2026-3-29-09:00")).toBeNull();
  });

  it("describes an order's window", () => {
    expect(describeOrderWindow(null)).toBeNull();
    expect(
      describeOrderWindow({ method: "pickup", slot_id: "p", start: "", end: "", local_date: "2026-03-07", label: "Saturday 7 March, 09:00-13:00", address: "240 Orchard Road" }),
    ).toBe("Pickup: Saturday 7 March, 09:00-13:00 at 240 Orchard Road");
  });
});
