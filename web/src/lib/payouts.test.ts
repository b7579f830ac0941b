import { describe, expect, it, vi } from "vitest";
import type { PayoutRow, SellerPayouts } from "./api/models";
import {
  checkRefundAmount,
  checkRefundReason,
  csvField,
  fetchAllPayouts,
  financeChartData,
  formatRate,
  hasMoney,
  payoutsCsv,
  refundSplit,
  toCsv,
} from "./payouts";

function row(overrides: Partial<PayoutRow> = {}): PayoutRow {
  return {
    order_id: "o1",
    order_number: "SG-7K3F-92",
    captured_at: "2025-03-01T10:00:00Z",
    order_status: "packed",
    status: "paid",
    commission_bps: 1000,
    gross: "10.00",
    commission: "1.00",
    net: "9.00",
    reversed: "0.00",
    refunded: "0.00",
    ...overrides,
  };
}

describe("CSV", () => {
  it("quotes fields with commas, quotes and line breaks, doubling quotes", () => {
    expect(csvField("plain")).toBe("plain");
    expect(csvField(12.5)).toBe("12.5");
    expect(csvField("a,b")).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField("two\nlines")).toBe('"two\nlines"');
    expect(csvField("cr\r")).toBe('"cr\r"');
    expect(toCsv([["a", "b,c"], [1, 2]])).toBe('a,"b,c"\r\n1,2\r\n');
  });

  it("has a header row, one row per order with decimal amounts, and a total of the rows", () => {
    const csv = payoutsCsv(
      [
        row(),
        row({ order_id: "o2", order_number: "SG-7K3F,92", status: "partially_reversed", commission_bps: 1250, gross: "20.05", commission: "2.51", net: "17.54", reversed: "4.38", refunded: "5.00" }),
      ],
      "usd",
    );
    const lines = csv.split("\r\n");
    expect(lines[0]).toBe("Captured at,Order,Order status,Payout status,Commission rate (%),Gross,Commission,Net,Reversed,Refunded,Currency");
    expect(lines[1]).toBe("2025-03-01T10:00:00Z,SG-7K3F-92,packed,Paid,10.00,10.00,1.00,9.00,0.00,0.00,USD");
    expect(lines[2]).toBe('2025-03-01T10:00:00Z,"SG-7K3F,92",packed,Partly reversed,12.50,20.05,2.51,17.54,4.38,5.00,USD');
    expect(lines[3]).toBe("Total (2 orders),,,,,30.05,3.51,26.54,4.38,5.00,USD");
    expect(lines[4]).toBe("");
    expect(lines).toHaveLength(5);
  });

  it("totals an empty export as zeros", () => {
    expect(payoutsCsv([], "eur").split("\r\n")[1]).toBe("Total (0 orders),,,,,0.00,0.00,0.00,0.00,0.00,EUR");
  });
});

describe("fetchAllPayouts", () => {
  const page = (items: PayoutRow[], next: string | null): SellerPayouts => ({
    currency: "usd",
    items,
    next_cursor: next,
    totals: { orders: 0, gross: "0.00", commission: "0.00", net: "0.00", reversed: "0.00", paid: "0.00" },
  });

  it("follows the cursor to the last page and reports progress", async () => {
    const fetchPage = vi.fn(async (cursor: string | undefined) =>
      cursor === undefined ? page([row({ order_id: "a" })], "c1") : page([row({ order_id: "b" })], null),
    );
    const progress = vi.fn();
    const result = await fetchAllPayouts(fetchPage, { onProgress: progress });
    expect(fetchPage.mock.calls.map(([cursor]) => cursor)).toEqual([undefined, "c1"]);
    expect(result.rows.map((r) => r.order_id)).toEqual(["a", "b"]);
    expect(result.complete).toBe(true);
    expect(progress.mock.calls).toEqual([
      [1, 1],
      [2, 2],
    ]);
  });

  it("stops at the page bound and says the export is incomplete", async () => {
    let n = 0;
    const fetchPage = vi.fn(async () => page([row({ order_id: `o${n}` })], `c${++n}`));
    const result = await fetchAllPayouts(fetchPage, { maxPages: 3 });
    expect(fetchPage).toHaveBeenCalledTimes(3);
    expect(result.rows).toHaveLength(3);
    expect(result.complete).toBe(false);
  });
});

describe("refunds", () => {
  it("validates the amount: > 0, at most what is refundable, two decimals", () => {
    expect(checkRefundAmount("3.50", 1000, "usd")).toEqual({ ok: true, cents: 350 });
    expect(checkRefundAmount(" 10 ", 1000, "usd")).toEqual({ ok: true, cents: 1000 });
    expect(checkRefundAmount("0.5", 1000, "usd")).toEqual({ ok: true, cents: 50 });
    expect(checkRefundAmount("", 1000, "usd")).toEqual({ ok: false, error: "Enter the amount to refund." });
    expect(checkRefundAmount("0", 1000, "usd")).toEqual({ ok: false, error: "The amount must be more than zero." });
    expect(checkRefundAmount("0.00", 1000, "usd")).toMatchObject({ ok: false });
    expect(checkRefundAmount("10.01", 1000, "usd")).toEqual({ ok: false, error: "You can refund at most $10.00 on this order." });
    for (const bad of ["1.234", "-1", "1,50", "abc", "1e2", ".5"]) {
      expect(checkRefundAmount(bad, 1000, "usd"), bad).toEqual({ ok: false, error: "Enter an amount like 3.50: digits, with at most two decimals." });
    }
  });

  it("requires a reason of at most 300 characters", () => {
    expect(checkRefundReason("  ")).toMatch(/Say why/);
    expect(checkRefundReason("Bruised")).toBeNull();
    expect(checkRefundReason("x".repeat(300))).toBeNull();
    expect(checkRefundReason("x".repeat(301))).toMatch(/300 characters/);
  });

  it("splits a refund as the API does: the commission back follows the running total, half up", () => {
    // $10.00 order, $1.00 commission: a $3.50 refund gives back $0.35 of commission, reverses $3.15.
    expect(refundSplit(1000, 100, 0, 350)).toEqual({ reversalCents: 315, commissionBackCents: 35 });
    // Three refunds of a third each give back exactly the commission.
    const parts = [refundSplit(1000, 100, 0, 333), refundSplit(1000, 100, 333, 333), refundSplit(1000, 100, 666, 334)];
    expect(parts.reduce((sum, part) => sum + part.commissionBackCents, 0)).toBe(100);
    expect(parts.reduce((sum, part) => sum + part.reversalCents, 0)).toBe(900);
    expect(refundSplit(0, 0, 0, 100)).toEqual({ reversalCents: 100, commissionBackCents: 0 });
  });

  it("words rates", () => {
    expect(formatRate(1000)).toBe("10%");
    expect(formatRate(1250)).toBe("12.5%");
    expect(formatRate(0)).toBe("0%");
  });
});

describe("financeChartData", () => {
  const day = (date: string, captured = "0.00", commission = "0.00") => ({ date, captured, commission, refunds: "0.00", transfers: "0.00" });

  it("orders days oldest first, in cents, with labels, and fills missing days with zeros", () => {
    const data = financeChartData([day("2025-03-03", "12.34", "1.23"), day("2025-03-01", "5.00", "0.50")]);
    expect(data.map((d) => d.date)).toEqual(["2025-03-01", "2025-03-02", "2025-03-03"]);
    expect(data[0]).toMatchObject({ capturedCents: 500, commissionCents: 50 });
    expect(data[1]).toMatchObject({ capturedCents: 0, commissionCents: 0, refundsCents: 0, transfersCents: 0 });
    expect(data[2]).toMatchObject({ capturedCents: 1234, commissionCents: 123 });
    expect(data[2].label).toMatch(/Mar/);
    expect(data.filter(hasMoney).map((d) => d.date)).toEqual(["2025-03-01", "2025-03-03"]);
  });

  it("keeps negative commission (given back on a later day) and handles an empty report", () => {
    expect(financeChartData([day("2025-03-01", "0.00", "-0.35")])[0].commissionCents).toBe(-35);
    expect(hasMoney(financeChartData([day("2025-03-01", "0.00", "-0.35")])[0])).toBe(true);
    expect(financeChartData([])).toEqual([]);
  });
});

describe("payout accounts and commission", () => {
  it("names unpayable sellers from a 409 seller_not_payable, and ignores other errors", async () => {
    const { ApiError } = await import("./api/errors");
    const { unpayableSellersMessage } = await import("./payouts");
    const one = new ApiError(409, "seller_not_payable", "server words", [{ seller_id: "s1", seller_name: "Greenfields Farm" }]);
    expect(unpayableSellersMessage(one)).toBe("Greenfields Farm can't take orders yet: their payouts are not set up. Remove their products from your basket to check out.");
    const three = new ApiError(409, "seller_not_payable", "server words", [
      { seller_id: "a", seller_name: "A" },
      { seller_id: "b", seller_name: "B" },
      { seller_id: "c", seller_name: "C" },
    ]);
    expect(unpayableSellersMessage(three)).toMatch(/^A, B and C can't take orders yet/);
    expect(unpayableSellersMessage(new ApiError(409, "seller_not_payable", "server words", null))).toBe("server words");
    expect(unpayableSellersMessage(new ApiError(409, "out_of_stock", "x", []))).toBeNull();
    expect(unpayableSellersMessage(new Error("x"))).toBeNull();
  });

  it("reads a commission percentage: 0 to 50, two decimals, empty for the platform's rate", async () => {
    const { checkCommissionPercent } = await import("./payouts");
    expect(checkCommissionPercent("")).toEqual({ ok: true, bps: null });
    expect(checkCommissionPercent("0")).toEqual({ ok: true, bps: 0 });
    expect(checkCommissionPercent("12.5")).toEqual({ ok: true, bps: 1250 });
    expect(checkCommissionPercent("8.25")).toEqual({ ok: true, bps: 825 });
    expect(checkCommissionPercent("50")).toEqual({ ok: true, bps: 5000 });
    expect(checkCommissionPercent("50.01")).toEqual({ ok: false, error: "The commission can be at most 50 %." });
    for (const bad of ["-1", "abc", "1.234", "100", "5%"]) expect(checkCommissionPercent(bad).ok, bad).toBe(false);
  });
});
