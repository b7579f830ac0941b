import { describe, expect, it } from "vitest";
import { ApiError } from "./api/errors";
import type { FulfilmentSettings } from "./api/models";
import { formFromSettings, newRow, serverFieldErrors, settingsRequest, slotProblems, validateSettingsForm, windowsPerWeek, type SettingsForm } from "./fulfilmentSettings";

const empty: FulfilmentSettings = {
  configured: false,
  timezone: "UTC",
  delivery: { enabled: false, fee: "0.00", free_over: null, min_order: "0.00", cutoff_hours: 0, slots: [] },
  pickup: { enabled: false, address: null, cutoff_hours: 0, slots: [] },
};

function form(overrides: Partial<SettingsForm> = {}): SettingsForm {
  return {
    timezone: "Europe/London",
    delivery: { enabled: true, fee: "3.99", free_over: "50", min_order: "15.00", cutoff_hours: "12", slots: [newRow({ weekday: "0", start: "09:00", end: "12:00", capacity: "20" })] },
    pickup: { enabled: false, address: "", cutoff_hours: "2", slots: [] },
    ...overrides,
  };
}

describe("the slot editor's checks", () => {
  it("accepts sound windows, back to back included", () => {
    const rows = [newRow({ weekday: "1", start: "09:00", end: "12:00" }), newRow({ weekday: "1", start: "12:00", end: "15:00" }), newRow({ weekday: "2", start: "09:00", end: "12:00" })];
    expect(slotProblems("delivery", rows, true)).toEqual({});
  });

  it("wants the end after the start, capacity from 1 to 500 and HH:MM times", () => {
    const rows = [
      newRow({ start: "12:00", end: "09:00" }),
      newRow({ weekday: "1", capacity: "0" }),
      newRow({ weekday: "2", capacity: "501" }),
      newRow({ weekday: "3", start: "9am", end: "24:00", capacity: "2.5" }),
    ];
    expect(slotProblems("pickup", rows, true)).toEqual({
      "pickup.slots.0.end": "Must be after the start (12:00): a window cannot run past midnight.",
      "pickup.slots.1.capacity": "A whole number of orders from 1 to 500.",
      "pickup.slots.2.capacity": "A whole number of orders from 1 to 500.",
      "pickup.slots.3.start": "Enter a time like 09:00 (24 h).",
      "pickup.slots.3.end": "Enter a time like 12:00 (24 h).",
      "pickup.slots.3.capacity": "A whole number of orders from 1 to 500.",
    });
  });

  it("refuses windows of one method overlapping on a weekday, naming the other window", () => {
    const rows = [newRow({ weekday: "0", start: "09:00", end: "12:00" }), newRow({ weekday: "4", start: "09:00", end: "12:00" }), newRow({ weekday: "0", start: "11:00", end: "13:00" })];
    expect(slotProblems("delivery", rows, true)).toEqual({
      "delivery.slots.2.start": "Overlaps the Monday window 09:00-12:00 (number 1 in the list).",
    });
  });

  it("wants a window for a method that is on, and at most 50", () => {
    expect(slotProblems("delivery", [], true)).toEqual({ "delivery.slots": "Add at least one window, or turn delivery off." });
    expect(slotProblems("delivery", [], false)).toEqual({});
    const many = Array.from({ length: 51 }, (_, index) => newRow({ weekday: String(index % 7), start: `${String(Math.floor(index / 7)).padStart(2, "0")}:00`, end: `${String(Math.floor(index / 7)).padStart(2, "0")}:30` }));
    expect(slotProblems("delivery", many, true)["delivery.slots"]).toBe("At most 50 delivery windows.");
  });
});

describe("the settings form", () => {
  it("checks amounts, cut-offs, the pickup address and that a method is on", () => {
    expect(validateSettingsForm(form())).toEqual({});
    expect(
      validateSettingsForm(
        form({
          delivery: { enabled: false, fee: "3.999", free_over: "1000.01", min_order: "x", cutoff_hours: "73", slots: [] },
          pickup: { enabled: false, address: "", cutoff_hours: "2", slots: [] },
        }),
      ),
    ).toEqual({
      "delivery.enabled": "Turn on delivery, pickup or both: shoppers need a way to get their orders.",
      "delivery.fee": "Enter an amount like 3.99.",
      "delivery.free_over": "Must be at most 1000.00.",
      "delivery.min_order": "Enter an amount like 15.00, or leave it empty.",
      "delivery.cutoff_hours": "A whole number of hours from 0 to 72.",
    });
    expect(validateSettingsForm(form({ pickup: { enabled: true, address: "  ", cutoff_hours: "2", slots: [newRow()] } }))).toEqual({
      "pickup.address": "Tell shoppers where to collect their orders.",
    });
  });

  it("sends amounts with two decimals, an empty threshold as null and an empty address as null", () => {
    expect(settingsRequest(form())).toEqual({
      timezone: "Europe/London",
      delivery: { enabled: true, fee: "3.99", free_over: "50.00", min_order: "15.00", cutoff_hours: 12, slots: [{ weekday: 0, start: "09:00", end: "12:00", capacity: 20 }] },
      pickup: { enabled: false, address: null, cutoff_hours: 2, slots: [] },
    });
  });

  it("starts an empty form in the browser's zone, and a configured one as saved", () => {
    expect(formFromSettings(empty, "Europe/Paris")).toMatchObject({ timezone: "Europe/Paris", delivery: { enabled: false, fee: "", slots: [] } });
    const saved: FulfilmentSettings = {
      configured: true,
      timezone: "America/New_York",
      delivery: { enabled: true, fee: "4.00", free_over: "40.00", min_order: "15.00", cutoff_hours: 12, slots: [{ weekday: 1, start: "09:00", end: "12:00", capacity: 20 }] },
      pickup: { enabled: true, address: "Shop", cutoff_hours: 2, slots: [{ weekday: 5, start: "09:00", end: "13:00", capacity: 30 }, { weekday: 6, start: "09:00", end: "13:00", capacity: 30 }] },
    };
    const loaded = formFromSettings(saved, "Europe/Paris");
    expect(loaded.timezone).toBe("America/New_York");
    expect(loaded.delivery.slots.map(({ weekday, start, end, capacity }) => ({ weekday, start, end, capacity }))).toEqual([{ weekday: "1", start: "09:00", end: "12:00", capacity: "20" }]);
    expect(windowsPerWeek(saved)).toBe(3);
    expect(windowsPerWeek(empty)).toBe(0);
  });

  it("puts the server's problems on their fields, in sentences", () => {
    const refused = new ApiError(422, "invalid_fulfilment", "...", [
      { field: "delivery.slots.2.end", message: "must be after the start (12:00); a window cannot run past midnight" },
      { field: "timezone", message: "is not a time zone we know" },
    ]);
    expect(serverFieldErrors(refused)).toEqual({
      "delivery.slots.2.end": "Must be after the start (12:00); a window cannot run past midnight.",
      timezone: "Is not a time zone we know.",
    });
    const pydantic = new ApiError(422, "validation_error", "...", [{ loc: ["body", "delivery", "slots", 0, "capacity"], msg: "Input should be less than or equal to 500", type: "x" }]);
    expect(serverFieldErrors(pydantic)).toEqual({ "delivery.slots.0.capacity": "Input should be less than or equal to 500." });
    expect(serverFieldErrors(new ApiError(500, "x", "y"))).toEqual({});
  });
});
