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
