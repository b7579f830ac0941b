// Sellers' payouts, refunds and the platform's money by day: words, validation and shaping.
// Amounts arrive as decimal strings; every sum here is in integer cents (see money.ts).
import { isApiError } from "./api/errors";
import type { FinanceDay, PayoutRow, PayoutStatus, SellerPayouts, UnpayableSeller } from "./api/models";
import { formatCents, fromCents, halfUp, toCents } from "./money";

/** A payout's status in plain words. */
export const PAYOUT_STATUS_LABEL: Record<PayoutStatus, string> = {
  awaiting_capture: "Waiting for capture",
  pending: "Transfer pending",
  paid: "Paid",
  partially_reversed: "Partly reversed",
  reversed: "Reversed",
  no_account: "No payout account",
};

export const PAYOUT_STATUS_TONE: Record<PayoutStatus, "neutral" | "green" | "blue" | "amber" | "red" | "violet"> = {
  awaiting_capture: "neutral",
  pending: "blue",
  paid: "green",
  partially_reversed: "amber",
  reversed: "red",
  no_account: "red",
};

/** Basis points as a percentage: 1000 -> "10%", 1250 -> "12.5%", 0 -> "0%". */
export function formatRate(bps: number): string {
  const percent = bps / 100;
  return `${Number.isInteger(percent) ? percent : Number(percent.toFixed(2))}%`;
}

// ---- CSV -------------------------------------------------------------------------------------------

/** One CSV field (RFC 4180): quoted when it holds a comma, a quote or a line break; quotes doubled. */
export function csvField(value: string | number): string {
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** Rows of fields as CSV text: CRLF line ends, a final line end. */
export function toCsv(rows: (string | number)[][]): string {
  return rows.map((row) => row.map(csvField).join(",")).join("\r\n") + "\r\n";
}

export const PAYOUT_CSV_HEADER = [
  "Captured at",
  "Order",
  "Order status",
  "Payout status",
  "Commission rate (%)",
  "Gross",
  "Commission",
  "Net",
  "Reversed",
  "Refunded",
  "Currency",
];

const MONEY_COLUMNS = ["gross", "commission", "net", "reversed", "refunded"] as const;

/**
 * The payouts as a CSV: a header row, one row per order (amounts as decimals, "12.50"), and a last
 * "Total" row summing the amounts of the rows exported.
 */
export function payoutsCsv(rows: PayoutRow[], currency: string): string {
  const code = currency.toUpperCase();
  const totals = Object.fromEntries(MONEY_COLUMNS.map((column) => [column, 0])) as Record<(typeof MONEY_COLUMNS)[number], number>;
  const lines: (string | number)[][] = [PAYOUT_CSV_HEADER];
  for (const row of rows) {
    for (const column of MONEY_COLUMNS) totals[column] += toCents(row[column]);
    lines.push([
      row.captured_at,
      row.order_number,
      row.order_status,
      PAYOUT_STATUS_LABEL[row.status],
      (row.commission_bps / 100).toFixed(2),
      ...MONEY_COLUMNS.map((column) => fromCents(toCents(row[column]))),
      code,
    ]);
  }
  lines.push([`Total (${rows.length} order${rows.length === 1 ? "" : "s"})`, "", "", "", "", ...MONEY_COLUMNS.map((column) => fromCents(totals[column])), code]);
  return toCsv(lines);
}

export const CSV_MAX_PAGES = 50;

/**
 * Every payout, page after page, for the CSV: at most `maxPages` pages. `complete` is false when
 * the bound was reached with pages left. `onProgress` hears after each page.
 */
export async function fetchAllPayouts(
  fetchPage: (cursor: string | undefined) => Promise<SellerPayouts>,
  { maxPages = CSV_MAX_PAGES, onProgress }: { maxPages?: number; onProgress?: (pages: number, rows: number) => void } = {},
): Promise<{ rows: PayoutRow[]; currency: string; complete: boolean }> {
  const rows: PayoutRow[] = [];
  let cursor: string | undefined;
  let currency = "usd";
  for (let pages = 1; pages <= maxPages; pages++) {
    const page = await fetchPage(cursor);
    currency = page.currency;
    rows.push(...page.items);
    onProgress?.(pages, rows.length);
    cursor = page.next_cursor ?? undefined;
    if (!cursor) return { rows, currency, complete: true };
  }
  return { rows, currency, complete: false };
}

// ---- refunds ---------------------------------------------------------------------------------------

/**
 * How a refund splits into (taken back from the seller, commission given back), as the API splits it
 * (pricing.refund_split): the commission given back follows the running total refunded, half up.
 */
export function refundSplit(grossCents: number, commissionCents: number, refundedBeforeCents: number, amountCents: number): { reversalCents: number; commissionBackCents: number } {
  if (grossCents <= 0) return { reversalCents: amountCents, commissionBackCents: 0 };
  const before = halfUp(commissionCents * refundedBeforeCents, grossCents);
  const after = halfUp(commissionCents * (refundedBeforeCents + amountCents), grossCents);
  return { reversalCents: amountCents - (after - before), commissionBackCents: after - before };
}

export const REFUND_REASON_MAX = 300;

export type AmountCheck = { ok: true; cents: number } | { ok: false; error: string };

/** A typed refund amount: a decimal with at most two places, above zero, at most what is refundable. */
export function checkRefundAmount(text: string, refundableCents: number, currency: string): AmountCheck {
  const value = text.trim();
  if (!value) return { ok: false, error: "Enter the amount to refund." };
  if (!/^\d{1,6}(\.\d{1,2})?$/.test(value)) return { ok: false, error: "Enter an amount like 3.50: digits, with at most two decimals." };
  const cents = toCents(value);
  if (cents <= 0) return { ok: false, error: "The amount must be more than zero." };
  if (cents > refundableCents) return { ok: false, error: `You can refund at most ${formatCents(refundableCents, currency)} on this order.` };
  return { ok: true, cents };
}

/** A refund reason: required once trimmed, at most REFUND_REASON_MAX characters. */
export function checkRefundReason(text: string): string | null {
  if (!text.trim()) return "Say why you are refunding: the shopper sees it.";
  if (text.trim().length > REFUND_REASON_MAX) return `Keep the reason to ${REFUND_REASON_MAX} characters.`;
  return null;
}

// ---- the platform's money by day -------------------------------------------------------------------

export interface FinanceChartDay {
  date: string;
  label: string;
  capturedCents: number;
  commissionCents: number;
  refundsCents: number;
  transfersCents: number;
}

const dayLabel = new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric", timeZone: "UTC" });

/**
 * The report's days for the chart and the table: oldest first, amounts in cents, a short label,
 * and any day missing between the first and the last filled with zeros.
 */
export function financeChartData(days: FinanceDay[]): FinanceChartDay[] {
  if (days.length === 0) return [];
  const byDate = new Map(days.map((day) => [day.date, day]));
  const sorted = [...byDate.keys()].sort();
  const first = Date.parse(`${sorted[0]}T00:00:00Z`);
  const last = Date.parse(`${sorted[sorted.length - 1]}T00:00:00Z`);
  const result: FinanceChartDay[] = [];
  for (let time = first; time <= last; time += 86_400_000) {
    const date = new Date(time).toISOString().slice(0, 10);
    const day = byDate.get(date);
    result.push({
      date,
      label: dayLabel.format(new Date(time)),
      capturedCents: day ? toCents(day.captured) : 0,
      commissionCents: day ? toCents(day.commission) : 0,
      refundsCents: day ? toCents(day.refunds) : 0,
      transfersCents: day ? toCents(day.transfers) : 0,
    });
  }
  return result;
}

/** Whether a day moved any money (the table lists only those). */
export function hasMoney(day: FinanceChartDay): boolean {
  return day.capturedCents !== 0 || day.commissionCents !== 0 || day.refundsCents !== 0 || day.transfersCents !== 0;
}

// ---- payout accounts and commission ----------------------------------------------------------------

/** "Greenfields", "Greenfields and Bakehouse", "A, B and C". */
function listNames(names: string[]): string {
  return names.length <= 1 ? (names[0] ?? "") : `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
}

/**
 * A checkout refused with 409 `seller_not_payable`, in words naming the sellers; null for any other
 * error.
 */
export function unpayableSellersMessage(error: unknown): string | null {
  if (!isApiError(error) || error.status !== 409 || error.code !== "seller_not_payable") return null;
  const sellers = Array.isArray(error.details)
    ? (error.details as Partial<UnpayableSeller>[]).map((seller) => seller?.seller_name).filter((name): name is string => typeof name === "string" && name.length > 0)
    : [];
  if (sellers.length === 0) return error.message || "A seller in your basket can't take orders yet. Remove their products to check out.";
  const one = sellers.length === 1;
  return `${listNames(sellers)} can't take orders yet: their payouts are not set up. Remove ${one ? "their" : "those sellers'"} products from your basket to check out.`;
}

/**
 * A commission typed as a percentage ("12.5"): 0 to 50 with at most two decimals, as basis points.
 * Empty means the platform's rate (null).
 */
export function checkCommissionPercent(text: string): { ok: true; bps: number | null } | { ok: false; error: string } {
  const value = text.trim();
  if (!value) return { ok: true, bps: null };
  if (!/^\d{1,2}(\.\d{1,2})?$/.test(value)) return { ok: false, error: "Enter a percentage like 8 or 12.5 (at most two decimals)." };
  const bps = Math.round(Number(value) * 100);
  if (bps > 5000) return { ok: false, error: "The commission can be at most 50 %." };
  return { ok: true, bps };
}
