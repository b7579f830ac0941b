// Delivery and pickup windows on the shopper's side: each seller's fee, minimum order and progress to
// free delivery for the basket, the windows grouped by day for checkout, and which seller an API error
// is about. The rules are the API's (docs/fulfilment.md), in integer cents; the server has the last word.
import type { DeliveryWindow, FulfilmentChoice, FulfilmentMethod, OrderFulfilment, SellerSlots } from "./api/models";
import { groupBySeller, isWeighed, lineEstimateCents, type BasketLine } from "./basket";
import { authorisedCents, toCents } from "./money";

export const METHOD_LABEL: Record<FulfilmentMethod, string> = { delivery: "Delivery", pickup: "Pickup" };

/** The methods a seller offers, delivery first. */
export function methodsOffered(terms: SellerSlots | null | undefined): FulfilmentMethod[] {
  if (!terms) return [];
  return (["delivery", "pickup"] as const).filter((method) => terms[method] !== null);
}

/** The delivery fee an order pays: the seller's fee unless the goods reach `free_over` (at the threshold too); pickup is free. */
export function deliveryFeeCents(terms: SellerSlots | null | undefined, method: FulfilmentMethod | null, goodsCents: number): number {
  if (!terms || method !== "delivery" || !terms.delivery) return 0;
  const threshold = terms.delivery.free_over === null ? null : toCents(terms.delivery.free_over);
  if (threshold !== null && goodsCents >= threshold) return 0;
  return toCents(terms.delivery.fee);
}

/** How much more the goods must come to for delivery (0: enough). Pickup has no minimum. */
export function minimumShortfallCents(terms: SellerSlots | null | undefined, method: FulfilmentMethod | null, goodsCents: number): number {
  if (!terms || method !== "delivery" || !terms.delivery) return 0;
  return Math.max(0, toCents(terms.delivery.min_order) - goodsCents);
}

export interface FreeDeliveryProgress {
  thresholdCents: number;
  feeCents: number;
  remainingCents: number;
  reached: boolean;
  /** Whole percent, 0-100. */
  percent: number;
}

/** How far the goods are from free delivery; null when there is nothing to win (no delivery, no threshold, no fee). */
export function freeDeliveryProgress(terms: SellerSlots | null | undefined, goodsCents: number): FreeDeliveryProgress | null {
  const delivery = terms?.delivery;
  if (!delivery || delivery.free_over === null) return null;
  const thresholdCents = toCents(delivery.free_over);
  const feeCents = toCents(delivery.fee);
  if (feeCents <= 0) return null;
  const remainingCents = Math.max(0, thresholdCents - goodsCents);
  const percent = thresholdCents === 0 ? 100 : Math.min(100, Math.floor((Math.max(0, goodsCents) * 100) / thresholdCents));
  return { thresholdCents, feeCents, remainingCents, reached: remainingCents === 0, percent };
}

/** What the basket page says about one seller's part: goods, the fee if delivered, minimum, progress. */
export interface SellerBasketTerms {
  sellerId: string;
  sellerName: string;
  lines: BasketLine[];
  goodsCents: number;
  /** undefined: the seller's terms are still loading (or could not be read); null: arranges delivery themselves. */
  terms: SellerSlots | null | undefined;
  methods: FulfilmentMethod[];
  /** The fee if the order is delivered as it stands (0 for pickup-only sellers and those arranging it themselves). */
  deliveryFeeCents: number;
  /** Short of the delivery minimum (0 when enough, or no delivery). */
  shortfallCents: number;
  progress: FreeDeliveryProgress | null;
}

/** The basket grouped by seller with each seller's terms; the fee assumes delivery where the seller offers it. */
export function basketBySeller(lines: BasketLine[], termsBySeller: Record<string, SellerSlots | null | undefined>): SellerBasketTerms[] {
  return groupBySeller(lines).map((group) => {
    const goodsCents = group.lines.reduce((sum, line) => sum + lineEstimateCents(line), 0);
    const terms = termsBySeller[group.sellerId];
    const methods = methodsOffered(terms);
    const delivers = methods.includes("delivery");
    return {
      ...group,
      goodsCents,
      terms,
      methods,
      deliveryFeeCents: delivers ? deliveryFeeCents(terms, "delivery", goodsCents) : 0,
      shortfallCents: delivers ? minimumShortfallCents(terms, "delivery", goodsCents) : 0,
      progress: delivers ? freeDeliveryProgress(terms, goodsCents) : null,
    };
  });
}

/**
 * What one seller's order adds to the card: its goods (weighed lines with the margin) and its fee,
 * as the API authorises it.
 */
export function orderAuthorisedCents(lines: BasketLine[], feeCents: number): number {
  const unit = lines.filter((line) => !isWeighed(line)).reduce((sum, line) => sum + lineEstimateCents(line), 0);
  const weighed = lines.filter(isWeighed).reduce((sum, line) => sum + lineEstimateCents(line), 0);
  return authorisedCents(unit, weighed) + feeCents;
}

// ---- windows -------------------------------------------------------------------------------------

export interface WindowDay {
  /** YYYY-MM-DD in the seller's time zone. */
  date: string;
  /** "Tuesday 1 December". */
  label: string;
  windows: DeliveryWindow[];
}

/** "2026-03-29" -> "Sunday 29 March" (a calendar day: no time zone shifts it). */
export function dayLabel(localDate: string): string {
  const date = new Date(`${localDate}T12:00:00Z`);
  if (Number.isNaN(date.getTime())) return localDate;
  return new Intl.DateTimeFormat("en-GB", { weekday: "long", day: "numeric", month: "long", timeZone: "UTC" }).format(date).replace(",", "");
}

/** A method's windows grouped by their local day, in time order (the API sends them in time order). */
export function windowsByDay(windows: DeliveryWindow[], method?: FulfilmentMethod): WindowDay[] {
  const days = new Map<string, WindowDay>();
  for (const window of windows) {
    if (method && window.method !== method) continue;
    let day = days.get(window.local_date);
    if (!day) {
      day = { date: window.local_date, label: dayLabel(window.local_date), windows: [] };
      days.set(window.local_date, day);
    }
    day.windows.push(window);
  }
  return [...days.values()]
    .sort((a, b) => a.date.localeCompare(b.date))
    .map((day) => ({ ...day, windows: [...day.windows].sort((a, b) => a.start.localeCompare(b.start)) }));
}

/** "Closes Mon 3 Mar, 21:00": when a window's orders close, in the shopper's own clock. */
export function formatCutoff(iso: string, timeZone?: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat("en-GB", { weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", hour12: false, timeZone }).format(date);
}

// ---- the choice at checkout ----------------------------------------------------------------------

/** What the shopper picked for one seller: a method, then a window of it. */
export interface SellerChoice {
  method: FulfilmentMethod | null;
  slotId: string | null;
}

/** The method to start with: the only one offered, else none (the shopper chooses). */
export function initialChoice(terms: SellerSlots): SellerChoice {
  const methods = methodsOffered(terms);
  return { method: methods.length === 1 ? methods[0] : null, slotId: null };
}

/**
 * The checkout's `fulfilment` for the sellers with windows, and the sellers still to choose (in
 * basket order). A choice whose window is no longer offered counts as not chosen.
 */
export function fulfilmentRequest(
  sellerIds: string[],
  termsBySeller: Record<string, SellerSlots | null | undefined>,
  choices: Record<string, SellerChoice | undefined>,
): { fulfilment: Record<string, FulfilmentChoice>; missing: string[] } {
  const fulfilment: Record<string, FulfilmentChoice> = {};
  const missing: string[] = [];
  for (const sellerId of sellerIds) {
    const terms = termsBySeller[sellerId];
    if (!terms) continue;
    const choice = choices[sellerId];
    const window = choice?.slotId ? terms.items.find((item) => item.slot_id === choice.slotId && item.method === choice.method) : undefined;
    if (!choice?.method || !window) missing.push(sellerId);
    else fulfilment[sellerId] = { method: choice.method, slot_id: window.slot_id };
  }
  return { fulfilment, missing };
}

/** The fulfilment error codes of checkout, each shown next to the seller it names. */
export const FULFILMENT_ERROR_CODES = new Set([
  "fulfilment_required",
  "below_minimum_order",
  "method_not_offered",
  "window_closed",
  "window_too_far",
  "invalid_window",
  "invalid_fulfilment",
  "window_full",
]);

/**
 * Which seller a checkout error is about: `details.seller_id` when the API sends it; else the seller
 * whose chosen window is `details.slot_id` (the window checks send only that), and when several chose
 * a window of that name, the one the message starts with. null when it cannot be told.
 */
export function sellerOfError(
  details: unknown,
  message: string,
  sellers: { sellerId: string; sellerName: string }[],
  choices: Record<string, SellerChoice | undefined>,
): string | null {
  const record = typeof details === "object" && details !== null ? (details as Record<string, unknown>) : {};
  if (typeof record.seller_id === "string" && sellers.some((seller) => seller.sellerId === record.seller_id)) return record.seller_id;
  const named = sellers.filter((seller) => seller.sellerName && message.startsWith(seller.sellerName));
  if (typeof record.slot_id === "string") {
    const chose = sellers.filter((seller) => choices[seller.sellerId]?.slotId === record.slot_id);
    if (chose.length === 1) return chose[0].sellerId;
    const both = chose.filter((seller) => named.includes(seller));
    if (both.length === 1) return both[0].sellerId;
  }
  if (named.length >= 1) return [...named].sort((a, b) => b.sellerName.length - a.sellerName.length)[0].sellerId;
  return null;
}

// ---- orders ----------------------------------------------------------------------------------------

/** An order's window in one line: "Delivery: Tuesday 1 December, 09:00-12:00" or "Pickup: ..., at <address>". */
export function describeOrderWindow(fulfilment: OrderFulfilment | null | undefined): string | null {
  if (!fulfilment) return null;
  const where = fulfilment.method === "pickup" && fulfilment.address ? ` at ${fulfilment.address}` : "";
  return `${METHOD_LABEL[fulfilment.method]}: ${fulfilment.label}${where}`;
}

// ---- the seller's windows --------------------------------------------------------------------------

/** A window as the seller's orders page lists it. */
export interface SellerWindowOption {
  slotId: string;
  method: FulfilmentMethod;
  localDate: string;
  /** "09:00-12:00", or the start alone when only the id is known. */
  time: string;
}

const SLOT_ID = /^(delivery|pickup)-(\d{4}-\d{2}-\d{2})-(\d{2}:\d{2})$/;

/** What a window id says: `delivery-2026-03-29-09:00` -> delivery, 2026-03-29, 09:00; null when malformed. */
export function parseSlotId(slotId: string): { method: FulfilmentMethod; localDate: string; start: string } | null {
  const match = SLOT_ID.exec(slotId);
  return match ? { method: match[1] as FulfilmentMethod, localDate: match[2], start: match[3] } : null;
}

/**
 * The seller's windows by day, from their upcoming windows and the windows of their orders (a window
 * past its cut-off is no longer offered, but is the one to pack), days and windows in time order.
 */
export function sellerWindowDays(
  upcoming: DeliveryWindow[],
  orderWindows: (OrderFulfilment | null | undefined)[],
  extra: string[] = [],
): { date: string; label: string; windows: SellerWindowOption[] }[] {
  const byId = new Map<string, SellerWindowOption>();
  for (const window of upcoming) {
    byId.set(window.slot_id, { slotId: window.slot_id, method: window.method, localDate: window.local_date, time: `${window.local_start}–${window.local_end}` });
  }
  for (const fulfilment of orderWindows) {
    if (!fulfilment || byId.has(fulfilment.slot_id)) continue;
    const time = /(\d{2}:\d{2})-(\d{2}:\d{2})$/.exec(fulfilment.label);
    const parsed = parseSlotId(fulfilment.slot_id);
    byId.set(fulfilment.slot_id, {
      slotId: fulfilment.slot_id,
      method: fulfilment.method,
      localDate: fulfilment.local_date,
      time: time ? `${time[1]}–${time[2]}` : (parsed?.start ?? fulfilment.slot_id),
    });
  }
  for (const slotId of extra) {
    const parsed = parseSlotId(slotId);
    if (parsed && !byId.has(slotId)) byId.set(slotId, { slotId, method: parsed.method, localDate: parsed.localDate, time: parsed.start });
  }
  const days = new Map<string, SellerWindowOption[]>();
  for (const option of byId.values()) days.set(option.localDate, [...(days.get(option.localDate) ?? []), option]);
  return [...days.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([date, windows]) => ({
      date,
      label: dayLabel(date),
      windows: windows.sort((a, b) => a.time.localeCompare(b.time) || a.method.localeCompare(b.method)),
    }));
}
