import type { SellerPublic } from "./api/models";
import { formatMoney, toCents } from "./money";

function hoursAhead(hours: number, what: string): string | null {
  if (hours <= 0) return null;
  return `${what} ${hours} hour${hours === 1 ? "" : "s"} before the window`;
}

/**
 * A seller's delivery and pickup offer in words, one sentence each, as the seller's page shows it:
 * "Delivers for $3.99, free over $40.00, minimum order $10.00. Order at least 6 hours before the window."
 */
export function offerSummary(seller: Pick<SellerPublic, "delivery" | "pickup">, currency = "usd"): string[] {
  const lines: string[] = [];
  const { delivery, pickup } = seller;
  if (delivery) {
    const fee = toCents(delivery.fee) === 0 ? "Delivers for free" : `Delivers for ${formatMoney(delivery.fee, currency)}`;
    const free = delivery.free_over !== null && toCents(delivery.fee) > 0 ? `, free over ${formatMoney(delivery.free_over, currency)}` : "";
    const minimum = toCents(delivery.min_order) > 0 ? `, minimum order ${formatMoney(delivery.min_order, currency)}` : "";
    const cutoff = hoursAhead(delivery.cutoff_hours, "Order at least");
    lines.push(`${fee}${free}${minimum}.${cutoff ? ` ${cutoff}.` : ""}`);
  }
  if (pickup) {
    const cutoff = hoursAhead(pickup.cutoff_hours, "Order at least");
    lines.push(`Free pickup at ${pickup.address}.${cutoff ? ` ${cutoff}.` : ""}`);
  }
  if (lines.length === 0) lines.push("Arranges delivery with you after you order.");
  else lines.push("You choose a window for each order at checkout.");
  return lines;
}
