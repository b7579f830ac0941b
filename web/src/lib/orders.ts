import type { Order, OrderLine, OrderStatus, PaymentStatus, SellerOrderCounts } from "./api/models";
import { countItems } from "./counts";
import { formatGrams, formatMoney, toCents } from "./money";

export const STATUS_LABEL: Record<OrderStatus, string> = {
  pending_payment: "Awaiting payment",
  confirmed: "Confirmed",
  packed: "Packed",
  out_for_delivery: "Out for delivery",
  delivered: "Delivered",
  cancelled: "Cancelled",
  payment_failed: "Payment failed",
};

export const STATUS_TONE: Record<OrderStatus, "neutral" | "green" | "blue" | "amber" | "red" | "violet"> = {
  pending_payment: "amber",
  confirmed: "blue",
  packed: "violet",
  out_for_delivery: "violet",
  delivered: "green",
  cancelled: "neutral",
  payment_failed: "red",
};

/** The payment of an order in words, for shoppers. */
export const PAYMENT_STATUS_LABEL: Record<PaymentStatus, string> = {
  unpaid: "Not paid",
  authorized: "Authorised",
  captured: "Charged",
  partially_refunded: "Partly refunded",
  refunded: "Refunded",
  voided: "Released",
  failed: "Failed",
};

/** One sentence on what the payment status means for the shopper's card. */
export const PAYMENT_STATUS_HINT: Record<PaymentStatus, string> = {
  unpaid: "Nothing has been charged.",
  authorized: "The amount is held on your card. You are charged only for what is packed.",
  captured: "Your card was charged for what was packed.",
  partially_refunded: "Part of the charge was refunded to your card.",
  refunded: "The charge was refunded to your card.",
  voided: "The hold on your card was released. Nothing was charged.",
  failed: "The payment did not go through. Nothing was charged.",
};

/** The happy path, in order; the timeline draws these steps. */
export const FULFILMENT_STEPS: OrderStatus[] = ["pending_payment", "confirmed", "packed", "out_for_delivery", "delivered"];

export interface StatusAction {
  status: OrderStatus;
  label: string;
  destructive?: boolean;
}

const ACTION_LABEL: Partial<Record<OrderStatus, string>> = {
  packed: "Mark packed (as ordered)",
  out_for_delivery: "Mark out for delivery",
  delivered: "Mark delivered",
  cancelled: "Cancel order",
};

/**
 * The buttons for the moves the server says this caller may make (`allowed_transitions`): who may
 * do what is the server's rule alone, the SPA only labels it. Fulfilment first, cancelling last.
 */
export function orderActions(order: Pick<Order, "allowed_transitions">): StatusAction[] {
  const allowed = order.allowed_transitions ?? [];
  const forward = allowed
    .filter((status) => status !== "cancelled")
    .map((status) => ({ status, label: ACTION_LABEL[status] ?? `Mark ${STATUS_LABEL[status].toLowerCase()}` }));
  const cancel: StatusAction[] = allowed.includes("cancelled") ? [{ status: "cancelled", label: ACTION_LABEL.cancelled!, destructive: true }] : [];
  return [...forward, ...cancel];
}

/** Things in an order, counted as everywhere (`countItems`): one per weighed line. */
export function itemCount(order: Pick<Order, "items">): number {
  return countItems(order.items);
}

/** "Order SG-7K3F-92": how people know an order (its number; never the long id). */
export function orderLabel(order: { number: string }): string {
  return `Order ${order.number}`;
}

/** An amount of a line's product: "750 g" for weighed lines, "4" for counted ones. */
export function formatAmount(soldBy: OrderLine["sold_by"], amount: number | null | undefined): string {
  if (amount === null || amount === undefined) return "—";
  return soldBy === "weight" ? formatGrams(amount) : String(amount);
}

/** What the line ordered: grams or a count. */
export function orderedAmount(line: Pick<OrderLine, "sold_by" | "quantity" | "weight_g">): number {
  return (line.sold_by === "weight" ? line.weight_g : line.quantity) ?? 0;
}

/** What was packed of the line's own product, or null before packing. */
export function packedAmount(line: Pick<OrderLine, "sold_by" | "packed_quantity" | "packed_weight_g">): number | null {
  return line.sold_by === "weight" ? line.packed_weight_g : line.packed_quantity;
}

/** Whether the line has been packed (the API fills in the packed amount then). */
export function isPackedLine(line: OrderLine): boolean {
  return packedAmount(line) !== null;
}

/**
 * The line as the shopper reads it: what was ordered, then (once packed) what was packed and any
 * substitute. "Ordered 750 g · Packed 780 g"; "Ordered 4 · Packed 3 + 1 × Pears (substitute)";
 * "Ordered 2 · Unavailable".
 */
export function describeLine(line: OrderLine): string {
  const ordered = `Ordered ${formatAmount(line.sold_by, orderedAmount(line))}`;
  const packed = packedAmount(line);
  if (packed === null) return ordered;
  const sub = line.substitute;
  const subText = sub
    ? line.sold_by === "weight"
      ? `${formatGrams(sub.weight_g ?? 0)} ${sub.name} (substitute)`
      : `${sub.quantity ?? 0} × ${sub.name} (substitute)`
    : null;
  if (packed === 0) return subText ? `${ordered} · Replaced by ${subText}` : `${ordered} · Unavailable`;
  return `${ordered} · Packed ${formatAmount(line.sold_by, packed)}${subText ? ` + ${subText}` : ""}`;
}

/** "$5.60/kg" or "$1.20 each": a line's price as ordered. */
export function linePriceLabel(line: Pick<OrderLine, "sold_by" | "unit" | "unit_price">, currency: string): string {
  const price = formatMoney(line.unit_price, currency);
  if (line.sold_by === "weight") return `${price}/kg`;
  return line.unit.trim().toLowerCase() === "each" ? `${price} each` : `${price} per ${line.unit}`;
}

/** An order's money, in cents: what it was estimated at, held for, finally charged and released. */
export function orderMoney(order: Pick<Order, "estimated_total" | "authorized_amount" | "final_total" | "released">) {
  return {
    estimatedCents: toCents(order.estimated_total),
    authorisedCents: toCents(order.authorized_amount),
    finalCents: order.final_total === null ? null : toCents(order.final_total),
    releasedCents: order.released === null ? null : toCents(order.released),
  };
}

// ---- the seller's tabs ------------------------------------------------------------------------

/** The statuses a seller's orders are counted in (they see an order once the card is authorised). */
export type CountedStatus = SellerOrderCounts["by_status"][number]["status"];

/** How many orders a tab holds: one status, or all of them for the "All" tab. */
export function tabCount(counts: SellerOrderCounts, status: CountedStatus | ""): number {
  return counts.by_status.filter((row) => !status || row.status === status).reduce((sum, row) => sum + row.count, 0);
}

/** "3", or "1000+" once a count reaches the API's limit (it stops counting there). */
export function countLabel(count: number, limit: number): string {
  return count >= limit ? `${limit}+` : String(count);
}

/** What an empty tab is waiting for, in words. */
export const EMPTY_TAB: Record<CountedStatus | "", string> = {
  "": "When shoppers buy your products, their orders appear here once their card is authorised. Make sure your products have stock and photos.",
  confirmed: "Nothing to pack. New orders appear here once the shopper's card is authorised.",
  packed: "Nothing packed and waiting. Orders you pack appear here until you send them out for delivery.",
  out_for_delivery: "Nothing on its way. Packed orders appear here once you mark them out for delivery.",
  delivered: "No delivered orders yet. Orders appear here once you mark them delivered.",
  cancelled: "No cancelled orders. Orders cancelled by you, the shopper or an admin appear here.",
};
