// Money arrives as decimal strings ("3.49"). Arithmetic happens in integer cents, never floats;
// dividing by 100 only happens at the very end, for display.

const formatters = new Map<string, Intl.NumberFormat>();

function formatterFor(currency: string): Intl.NumberFormat {
  const code = (currency || "usd").toUpperCase();
  let formatter = formatters.get(code);
  if (!formatter) {
    try {
      formatter = new Intl.NumberFormat(undefined, { style: "currency", currency: code });
    } catch {
      // Unknown currency code: still show two decimals rather than crash.
      formatter = new Intl.NumberFormat(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    }
    formatters.set(code, formatter);
  }
  return formatter;
}

const AMOUNT = /^(-)?(\d+)(?:\.(\d{1,2}))?$/;

/** "3.49" -> 349. Throws on anything that isn't a plain decimal with at most two places. */
export function toCents(amount: string | number): number {
  const match = AMOUNT.exec(String(amount).trim());
  if (!match) throw new Error(`not a money amount: ${amount}`);
  const [, sign, whole, fraction = ""] = match;
  const cents = Number(whole) * 100 + Number(fraction.padEnd(2, "0"));
  return sign ? -cents : cents;
}

/** 349 -> "3.49" */
export function fromCents(cents: number): string {
  const sign = cents < 0 ? "-" : "";
  const abs = Math.abs(Math.round(cents));
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, "0")}`;
}

export function formatMoney(amount: string | number, currency: string): string {
  return formatterFor(currency).format(toCents(amount) / 100);
}

export function formatCents(cents: number, currency: string): string {
  return formatterFor(currency).format(cents / 100);
}

/** Whether a typed price is acceptable to the API: up to 6 digits, at most two decimals. */
export function isValidPriceInput(value: string): boolean {
  return /^\d{1,6}(\.\d{1,2})?$/.test(value.trim());
}

/** "per kg", "per 500 g" — but plain "each" rather than "per each". */
export function perUnit(unit: string): string {
  return unit.trim().toLowerCase() === "each" ? "each" : `per ${unit}`;
}

// ---- groceries sold by weight (the API's pricing rules, in integer cents) -----------------------

/** The margin a weighed line is authorised with, in basis points (1000 = 10 %), as the API's WEIGHT_BUFFER_BPS. */
export const WEIGHT_MARGIN_BPS = 1000;

/** numerator / denominator rounded half up, for non-negative integers. */
export function halfUp(numerator: number, denominator: number): number {
  return Math.floor((2 * numerator + denominator) / (2 * denominator));
}

/** What `grams` cost at `pricePerKgCents`: rounded half up to the cent, once per line. */
export function weightCostCents(pricePerKgCents: number, grams: number): number {
  return halfUp(pricePerKgCents * grams, 1000);
}

/** A line's cost: `amount` is a count for unit products, grams for weighed ones (priced per kg). */
export function lineCostCents(priceCents: number, soldBy: "unit" | "weight", amount: number): number {
  return soldBy === "weight" ? weightCostCents(priceCents, amount) : priceCents * amount;
}

/** What one order authorises: its unit lines, plus its weighed lines with the margin, rounded up. */
export function authorisedCents(unitCents: number, weighedCents: number, marginBps: number = WEIGHT_MARGIN_BPS): number {
  return unitCents + Math.ceil((weighedCents * (10_000 + marginBps)) / 10_000);
}

/** 250 -> "250 g", 1500 -> "1.5 kg", 2000 -> "2 kg" (as the API words weights). */
export function formatGrams(grams: number): string {
  if (grams < 1000) return `${grams} g`;
  const kilos = Math.floor(grams / 1000);
  const rest = grams % 1000;
  return rest ? `${kilos}.${String(rest).padStart(3, "0").replace(/0+$/, "")} kg` : `${kilos} kg`;
}
