import { describe, expect, it } from "vitest";
import { offerSummary } from "./sellerPage";

describe("offerSummary", () => {
  it("says what delivery costs, when it is free, the minimum and how early to order", () => {
    const lines = offerSummary({ delivery: { fee: "3.99", free_over: "40.00", min_order: "10.00", cutoff_hours: 6 }, pickup: null });
    expect(lines).toEqual([
      "Delivers for $3.99, free over $40.00, minimum order $10.00. Order at least 6 hours before the window.",
      "You choose a window for each order at checkout.",
    ]);
  });

  it("names the pickup place, and free delivery without a threshold", () => {
    const lines = offerSummary({
      delivery: { fee: "0.00", free_over: null, min_order: "0.00", cutoff_hours: 0 },
      pickup: { address: "Unit 4, Mill Lane", cutoff_hours: 1 },
    });
    expect(lines).toEqual([
      "Delivers for free.",
      "Free pickup at Unit 4, Mill Lane. Order at least 1 hour before the window.",
      "You choose a window for each order at checkout.",
    ]);
  });

  it("says the seller arranges it when they offer no windows", () => {
    expect(offerSummary({ delivery: null, pickup: null })).toEqual(["Arranges delivery with you after you order."]);
  });
});
