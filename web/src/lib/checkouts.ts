// One shopping trip = one checkout: its orders (one per seller) share a checkout_id and are paid
// with one payment. This module groups orders by trip and remembers the checkout this browser
// left open, so coming back to checkout resumes it instead of starting another.
import type { Checkout, CheckoutItem, Order } from "./api/models";
import { basket, isWeighed, lineAmount, type BasketLine } from "./basket";
import { formatCents, toCents } from "./money";
import { msUntil } from "./time";

/**
 * One line of a checkout as the API takes it: a count (`quantity`) or grams (`weight_g`), and the
 * substitution choice. Records stored before weights existed have `quantity` only.
 */
export type ItemCount = Pick<CheckoutItem, "product_id" | "quantity" | "weight_g"> & { substitution?: CheckoutItem["substitution"] };

function amountOf(item: ItemCount): number {
  return item.quantity ?? item.weight_g ?? 0;
}

/** Amounts (items or grams) and substitution choices per product, merged and sorted, so two lists compare as text. */
export function itemsKey(lines: ItemCount[]): string {
  const merged = new Map<string, { amount: number; similar: boolean }>();
  for (const line of lines) {
    const before = merged.get(line.product_id);
    merged.set(line.product_id, {
      amount: (before?.amount ?? 0) + amountOf(line),
      similar: Boolean(before?.similar) || line.substitution === "similar",
    });
  }
  return [...merged.entries()]
    .filter(([, { amount }]) => amount > 0)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([id, { amount, similar }]) => `${id}:${amount}${similar ? "~" : ""}`)
    .join(",");
}

/** The basket as the checkout request's items: weighed lines in grams, with each line's substitution choice. */
export function basketItems(lines: BasketLine[]): CheckoutItem[] {
  return lines.map((line) =>
    isWeighed(line)
      ? { product_id: line.product.id, weight_g: lineAmount(line), substitution: line.substitution }
      : { product_id: line.product.id, quantity: lineAmount(line), substitution: line.substitution },
  );
}

/** What is still to be paid in a checkout: the lines of its orders awaiting payment. */
export function awaitingItems(orders: Order[]): ItemCount[] {
  return orders
    .filter((order) => order.status === "pending_payment")
    .flatMap((order) =>
      order.items.map((line) =>
        line.sold_by === "weight"
          ? { product_id: line.product_id, weight_g: line.weight_g, substitution: line.substitution }
          : { product_id: line.product_id, quantity: line.quantity, substitution: line.substitution },
      ),
    );
}

/** The card is authorised (or already charged): nothing more for the shopper to do. */
export function isAuthorised(checkout: Pick<Checkout, "status"> | null | undefined): boolean {
  return Boolean(checkout && (checkout.status === "authorized" || checkout.status === "capturing" || checkout.status === "captured"));
}

/** A checkout the shopper can still pay: awaiting payment, a payment to resume, not expired. */
export function isPayable(checkout: Checkout | null | undefined, now: number = Date.now()): checkout is Checkout & { payment: NonNullable<Checkout["payment"]> } {
  return Boolean(checkout && checkout.status === "pending_payment" && checkout.payment && msUntil(checkout.expires_at, now) > 0);
}

// ---- the checkout this browser left open -------------------------------------------------------

const OPEN_KEY = "sg.checkout.open";

export interface OpenCheckoutRecord {
  checkoutId: string;
  userId: string;
  /** What the basket held when this checkout was placed: taken out of the basket once it is paid. */
  items: ItemCount[];
}

export const openCheckout = {
  get(userId: string | undefined): OpenCheckoutRecord | null {
    if (!userId) return null;
    try {
      const record = JSON.parse(localStorage.getItem(OPEN_KEY) ?? "null") as OpenCheckoutRecord | null;
      return record && record.userId === userId && typeof record.checkoutId === "string" && Array.isArray(record.items) ? record : null;
    } catch {
      return null;
    }
  },
  remember(record: OpenCheckoutRecord) {
    try {
      localStorage.setItem(OPEN_KEY, JSON.stringify(record));
    } catch {
      // Storage full or disabled: resuming then relies on My orders.
    }
  },
  /** Forgets the remembered checkout if it is this one (or any, without an id). */
  forget(checkoutId?: string) {
    try {
      const record = JSON.parse(localStorage.getItem(OPEN_KEY) ?? "null") as OpenCheckoutRecord | null;
      if (!checkoutId || record?.checkoutId === checkoutId) localStorage.removeItem(OPEN_KEY);
    } catch {
      localStorage.removeItem(OPEN_KEY);
    }
  },
};

/**
 * The checkout's card is authorised: take what it bought out of the basket (once). Only a checkout
 * this browser placed touches the basket, and only by the amounts it bought, so anything added to
 * the basket since stays there.
 */
export function settlePaidCheckout(checkoutId: string): void {
  let record: OpenCheckoutRecord | null;
  try {
    record = JSON.parse(localStorage.getItem(OPEN_KEY) ?? "null") as OpenCheckoutRecord | null;
  } catch {
    record = null;
  }
  if (!record || record.checkoutId !== checkoutId) return;
  openCheckout.forget(checkoutId);
  const bought = new Map<string, number>();
  for (const item of record.items) bought.set(item.product_id, (bought.get(item.product_id) ?? 0) + amountOf(item));
  for (const line of basket.get()) {
    const amount = bought.get(line.product.id);
    if (!amount) continue;
    const left = lineAmount(line) - amount;
    if (!isWeighed(line)) basket.setQuantity(line.product.id, left);
    else if (left < (line.product.min_weight_g ?? 1)) basket.remove(line.product.id);
    else basket.setWeight(line.product.id, left);
  }
}

// ---- My orders: one entry per shopping trip ----------------------------------------------------

export interface Trip {
  checkoutId: string;
  /** When the trip was placed (its earliest order). */
  placedAt: string;
  orders: Order[];
  currency: string;
  totalCents: number;
  /** Orders still awaiting payment, and whether their payment can still be made. */
  awaiting: Order[];
  payable: boolean;
  expiresAt: string | null;
  paymentError: string | null;
}

/** Orders grouped by checkout, newest trip first; within a trip, orders keep the API's order. */
export function groupByCheckout(orders: Order[], now: number = Date.now()): Trip[] {
  const byCheckout = new Map<string, Order[]>();
  for (const order of orders) {
    const key = order.checkout_id || order.id;
    if (!byCheckout.has(key)) byCheckout.set(key, []);
    byCheckout.get(key)!.push(order);
  }
  const trips = [...byCheckout.entries()].map(([checkoutId, tripOrders]): Trip => {
    const placedAt = tripOrders.map((order) => order.created_at).sort()[0];
    const awaiting = tripOrders.filter((order) => order.status === "pending_payment");
    const expiresAt = awaiting.map((order) => order.expires_at).find(Boolean) ?? null;
    return {
      checkoutId,
      placedAt,
      orders: tripOrders,
      currency: tripOrders[0].currency,
      totalCents: tripOrders.reduce((sum, order) => sum + toCents(order.total), 0),
      awaiting,
      payable: awaiting.length > 0 && msUntil(expiresAt, now) > 0,
      expiresAt,
      paymentError: awaiting.map((order) => order.payment_error).find(Boolean) ?? null,
    };
  });
  return trips.sort((a, b) => timeOf(b.placedAt) - timeOf(a.placedAt) || (a.checkoutId < b.checkoutId ? -1 : 1));
}

function timeOf(iso: string): number {
  const at = new Date(iso).getTime();
  return Number.isNaN(at) ? 0 : at;
}

// ---- the hold on the card ----------------------------------------------------------------------

/**
 * The one-line explanation of the authorisation: how much is held, why it can be more than the
 * estimate (weighed items), and that only what is packed is charged.
 */
export function holdExplanation(authorisedCents: number, estimateCents: number, currency: string, weighed: boolean): string {
  const held = formatCents(authorisedCents, currency);
  if (weighed && authorisedCents > estimateCents) {
    return `We hold ${held} on your card: your estimate plus 10% on weighed items. You pay only for what is packed.`;
  }
  return `We hold ${held} on your card and charge it once your order is packed. You pay only for what is packed.`;
}
