// The seller's delivery and pickup settings as a form: text fields as typed, checked here the way the
// API checks them (docs/fulfilment.md, `validate_settings`) so most mistakes show before saving, with
// the API's field names (`delivery.slots.2.end`) so the server's 422 lands on the same fields.
import type { FulfilmentMethod, FulfilmentProblem, FulfilmentSettings, FulfilmentSettingsIn, SlotRule } from "./api/models";
import { fieldErrors, isApiError } from "./api/errors";

export const WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"] as const;
export const MAX_SLOTS = 50;
export const MIN_CAPACITY = 1;
export const MAX_CAPACITY = 500;
export const MAX_CUTOFF_HOURS = 72;
export const MAX_AMOUNT_CENTS = 100_000;
export const MAX_ADDRESS_LENGTH = 300;

export interface SlotRow {
  /** A stable key for React while rows are added and removed. */
  key: string;
  weekday: string;
  start: string;
  end: string;
  capacity: string;
}

export interface SettingsForm {
  timezone: string;
  delivery: { enabled: boolean; fee: string; free_over: string; min_order: string; cutoff_hours: string; slots: SlotRow[] };
  pickup: { enabled: boolean; address: string; cutoff_hours: string; slots: SlotRow[] };
}

let rowCounter = 0;
export function newRow(partial: Partial<Omit<SlotRow, "key">> = {}): SlotRow {
  rowCounter += 1;
  return { key: `row-${rowCounter}`, weekday: "0", start: "09:00", end: "12:00", capacity: "20", ...partial };
}

/** A row after the last one: the next day, same hours (what sellers usually add). */
export function nextRow(rows: SlotRow[]): SlotRow {
  const last = rows[rows.length - 1];
  if (!last) return newRow();
  return newRow({ weekday: String((Number(last.weekday) + 1) % 7), start: last.start, end: last.end, capacity: last.capacity });
}

/** The browser's own zone, or UTC when it cannot tell. */
export function browserTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  } catch {
    return "UTC";
  }
}

/** Zones sellers pick from: the common ones, plus the browser's and the current one if not among them. */
const COMMON_ZONES = [
  "UTC",
  "Europe/London",
  "Europe/Dublin",
  "Europe/Lisbon",
  "Europe/Paris",
  "Europe/Berlin",
  "Europe/Madrid",
  "Europe/Rome",
  "Europe/Amsterdam",
  "Europe/Stockholm",
  "Europe/Warsaw",
  "Europe/Athens",
  "Europe/Helsinki",
  "America/New_York",
  "America/Toronto",
  "America/Chicago",
  "America/Denver",
  "America/Phoenix",
  "America/Los_Angeles",
  "America/Anchorage",
  "America/Mexico_City",
  "America/Sao_Paulo",
  "America/Argentina/Buenos_Aires",
  "Pacific/Honolulu",
  "Africa/Johannesburg",
  "Africa/Lagos",
  "Africa/Nairobi",
  "Asia/Dubai",
  "Asia/Kolkata",
  "Asia/Singapore",
  "Asia/Hong_Kong",
  "Asia/Tokyo",
  "Asia/Seoul",
  "Australia/Perth",
  "Australia/Sydney",
  "Pacific/Auckland",
];

export function timeZoneOptions(...also: (string | undefined)[]): string[] {
  const zones = new Set(COMMON_ZONES);
  for (const zone of also) if (zone) zones.add(zone);
  return [...zones].sort((a, b) => (a === "UTC" ? -1 : b === "UTC" ? 1 : a.localeCompare(b)));
}

function rowsOf(slots: SlotRule[]): SlotRow[] {
  return slots.map((slot) => newRow({ weekday: String(slot.weekday), start: slot.start, end: slot.end, capacity: String(slot.capacity) }));
}

/** The form for the settings the API sent (`configured: false`: the empty form, in the browser's zone). */
export function formFromSettings(settings: FulfilmentSettings, defaultZone = browserTimeZone()): SettingsForm {
  const { delivery, pickup } = settings;
  return {
    timezone: settings.configured ? settings.timezone : defaultZone,
    delivery: {
      enabled: delivery.enabled,
      fee: settings.configured ? delivery.fee : "",
      free_over: delivery.free_over ?? "",
      min_order: settings.configured && delivery.min_order !== "0.00" ? delivery.min_order : "",
      cutoff_hours: String(delivery.cutoff_hours),
      slots: rowsOf(delivery.slots),
    },
    pickup: {
      enabled: pickup.enabled,
      address: pickup.address ?? "",
      cutoff_hours: String(pickup.cutoff_hours),
      slots: rowsOf(pickup.slots),
    },
  };
}

const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;
const AMOUNT = /^\d{1,4}(\.\d{1,2})?$/;
const WHOLE = /^\d{1,4}$/;

function minutes(hhmm: string): number | null {
  const match = HHMM.exec(hhmm.trim());
  return match ? Number(match[1]) * 60 + Number(match[2]) : null;
}

function hhmm(total: number): string {
  return `${String(Math.floor(total / 60)).padStart(2, "0")}:${String(total % 60).padStart(2, "0")}`;
}

function amountCents(text: string): number | null {
  const value = text.trim();
  if (!AMOUNT.test(value)) return null;
  const [whole, fraction = ""] = value.split(".");
  return Number(whole) * 100 + Number(fraction.padEnd(2, "0"));
}

function wholeIn(text: string, low: number, high: number): number | null {
  const value = text.trim();
  if (!WHOLE.test(value)) return null;
  const number = Number(value);
  return number >= low && number <= high ? number : null;
}

/** "2.5" -> "2.50"; what the API takes. */
function money(text: string): string {
  const cents = amountCents(text) ?? 0;
  return `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, "0")}`;
}

/**
 * Everything wrong with the form, keyed by the API's field names, in sentences a seller can act on;
 * {} when it can be saved. Mirrors the server: amounts 0.00-1000.00, cut-off 0-72 hours, HH:MM times
 * with the end after the start, capacity 1-500, at most 50 windows a method, no two windows of one
 * method overlapping on a weekday (back to back is fine), at least one method on, a method that is on
 * has a window, pickup that is on has an address.
 */
export function validateSettingsForm(form: SettingsForm): Record<string, string> {
  const errors: Record<string, string> = {};
  const problem = (field: string, message: string) => {
    if (!errors[field]) errors[field] = message;
  };
  if (!form.timezone.trim()) problem("timezone", "Choose the time zone your windows are in.");
  if (!form.delivery.enabled && !form.pickup.enabled) problem("delivery.enabled", "Turn on delivery, pickup or both: shoppers need a way to get their orders.");

  const { delivery, pickup } = form;
  if (delivery.fee.trim() && amountCents(delivery.fee) === null) problem("delivery.fee", "Enter an amount like 3.99.");
  if (delivery.free_over.trim() && amountCents(delivery.free_over) === null) problem("delivery.free_over", "Enter an amount like 40.00, or leave it empty.");
  if (delivery.min_order.trim() && amountCents(delivery.min_order) === null) problem("delivery.min_order", "Enter an amount like 15.00, or leave it empty.");
  for (const name of ["fee", "free_over", "min_order"] as const) {
    const cents = amountCents(delivery[name]);
    if (cents !== null && cents > MAX_AMOUNT_CENTS) problem(`delivery.${name}`, "Must be at most 1000.00.");
  }
  if (pickup.enabled) {
    if (!pickup.address.trim()) problem("pickup.address", "Tell shoppers where to collect their orders.");
    else if (pickup.address.length > MAX_ADDRESS_LENGTH) problem("pickup.address", `At most ${MAX_ADDRESS_LENGTH} characters.`);
  }
  for (const method of ["delivery", "pickup"] as const) {
    const block = form[method];
    if (wholeIn(block.cutoff_hours, 0, MAX_CUTOFF_HOURS) === null) problem(`${method}.cutoff_hours`, `A whole number of hours from 0 to ${MAX_CUTOFF_HOURS}.`);
    for (const [field, message] of Object.entries(slotProblems(method, block.slots, block.enabled))) problem(field, message);
  }
  return errors;
}

/** The problems of one method's weekly windows, keyed `method.slots.N.field`. */
export function slotProblems(method: FulfilmentMethod, rows: SlotRow[], enabled: boolean): Record<string, string> {
  const errors: Record<string, string> = {};
  const problem = (field: string, message: string) => {
    if (!errors[field]) errors[field] = message;
  };
  if (rows.length > MAX_SLOTS) problem(`${method}.slots`, `At most ${MAX_SLOTS} ${method} windows.`);
  if (enabled && rows.length === 0) problem(`${method}.slots`, `Add at least one window, or turn ${method} off.`);
  const sound: { weekday: number; start: number; end: number; index: number }[] = [];
  rows.forEach((row, index) => {
    const at = `${method}.slots.${index}`;
    const weekday = wholeIn(row.weekday, 0, 6);
    const start = minutes(row.start);
    const end = minutes(row.end);
    if (weekday === null) problem(`${at}.weekday`, "Choose a day.");
    if (start === null) problem(`${at}.start`, "Enter a time like 09:00 (24 h).");
    if (end === null) problem(`${at}.end`, "Enter a time like 12:00 (24 h).");
    if (start !== null && end !== null && end <= start) problem(`${at}.end`, `Must be after the start (${row.start}): a window cannot run past midnight.`);
    if (wholeIn(row.capacity, MIN_CAPACITY, MAX_CAPACITY) === null) problem(`${at}.capacity`, `A whole number of orders from ${MIN_CAPACITY} to ${MAX_CAPACITY}.`);
    if (weekday !== null && start !== null && end !== null && end > start) sound.push({ weekday, start, end, index });
  });
  // As the server: each window against the one reaching latest among those starting before it that day.
  sound.sort((a, b) => a.weekday - b.weekday || a.start - b.start || a.end - b.end || a.index - b.index);
  let latest: (typeof sound)[number] | null = null;
  for (const current of sound) {
    if (latest && latest.weekday === current.weekday && current.start < latest.end) {
      problem(
        `${method}.slots.${current.index}.start`,
        `Overlaps the ${WEEKDAYS[latest.weekday]} window ${hhmm(latest.start)}-${hhmm(latest.end)} (number ${latest.index + 1} in the list).`,
      );
    }
    if (!latest || latest.weekday !== current.weekday || current.end > latest.end) latest = current;
  }
  return errors;
}

/** The PUT body for a form that passed `validateSettingsForm`. */
export function settingsRequest(form: SettingsForm): FulfilmentSettingsIn {
  const slots = (rows: SlotRow[]): SlotRule[] =>
    rows.map((row) => ({ weekday: Number(row.weekday), start: row.start.trim(), end: row.end.trim(), capacity: Number(row.capacity) }));
  return {
    timezone: form.timezone,
    delivery: {
      enabled: form.delivery.enabled,
      fee: money(form.delivery.fee),
      free_over: form.delivery.free_over.trim() ? money(form.delivery.free_over) : null,
      min_order: money(form.delivery.min_order),
      cutoff_hours: Number(form.delivery.cutoff_hours),
      slots: slots(form.delivery.slots),
    },
    pickup: {
      enabled: form.pickup.enabled,
      address: form.pickup.address.trim() || null,
      cutoff_hours: Number(form.pickup.cutoff_hours),
      slots: slots(form.pickup.slots),
    },
  };
}

function sentence(message: string): string {
  const text = message.trim();
  const capital = text.charAt(0).toUpperCase() + text.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}

/**
 * The server's refusal as field messages: 422 `invalid_fulfilment` (details `[{field, message}]`) or a
 * `validation_error` (pydantic's `loc`). Messages that name no field of the form come back under "".
 */
export function serverFieldErrors(error: unknown): Record<string, string> {
  if (!isApiError(error) || error.status !== 422) return {};
  const result: Record<string, string> = {};
  if (error.code === "invalid_fulfilment" && Array.isArray(error.details)) {
    for (const item of error.details as FulfilmentProblem[]) {
      if (typeof item?.field !== "string" || typeof item?.message !== "string") continue;
      const field = item.field || "";
      result[field] = result[field] ? `${result[field]} ${sentence(item.message)}` : sentence(item.message);
    }
    return result;
  }
  for (const [field, message] of Object.entries(fieldErrors(error))) result[field] = sentence(message);
  return result;
}

/** How many windows a week the settings offer (methods that are on). */
export function windowsPerWeek(settings: FulfilmentSettings | undefined): number {
  if (!settings?.configured) return 0;
  return (settings.delivery.enabled ? settings.delivery.slots.length : 0) + (settings.pickup.enabled ? settings.pickup.slots.length : 0);
}
