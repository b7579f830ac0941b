import { describe, expect, it } from "vitest";
import { formatCents, formatMoney, fromCents, isValidPriceInput, toCents } from "./money";

describe("money", () => {
  it("parses decimal strings into integer cents without float error", () => {
    expect(toCents("3.49")).toBe(349);
    expect(toCents("0.1")).toBe(10);
    expect(toCents("12")).toBe(1200);
    expect(toCents("-1.05")).toBe(-105);
    // 0.1 + 0.2 in floats is 0.30000000000000004; in cents it is exact.
    expect(toCents("0.10") + toCents("0.20")).toBe(toCents("0.30"));
    expect(() => toCents("1.999")).toThrow();
    expect(() => toCents("abc")).toThrow();
  });

  it("formats back to two-place strings", () => {
    expect(fromCents(349)).toBe("3.49");
    expect(fromCents(5)).toBe("0.05");
    expect(fromCents(-105)).toBe("-1.05");
  });

  it("formats with the currency", () => {
    const expected = new Intl.NumberFormat(undefined, { style: "currency", currency: "USD" }).format(3.49);
    expect(formatMoney("3.49", "usd")).toBe(expected);
    expect(formatCents(1047, "eur")).toBe(new Intl.NumberFormat(undefined, { style: "currency", currency: "EUR" }).format(10.47));
  });

  it("validates typed prices like the API does", () => {
    expect(isValidPriceInput("3.49")).toBe(true);
    expect(isValidPriceInput("3")).toBe(true);
    expect(isValidPriceInput("3.499")).toBe(false);
    expect(isValidPriceInput("-1")).toBe(false);
    expect(isValidPriceInput("1234567")).toBe(false);
  });
});
