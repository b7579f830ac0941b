// The API's form rules in the words the API uses (its 422 messages), so a mistake reads the same whether
// the form catches it before sending or the API refuses it.

/** The longest text each field takes (the API models' max_length). Longer is refused, never cut. */
export const TEXT_LIMITS = {
  name: 120,
  description: 2000,
  unit: 20,
  full_name: 120,
  email: 254,
  phone: 32,
} as const;

export const EMAIL_HINT = "Enter an email address like name@example.com";
export const PRICE_TOO_LOW = "Enter a price of at least 0.01: a product can't be free.";
export const NEGATIVE_STOCK = "Stock can't be negative: enter 0 or more.";

/** Length as the API counts it: characters (code points), after trimming the spaces around. */
export function textLength(value: string): number {
  return [...value.trim()].length;
}

/** "Name can be at most 120 characters (this one has 310)." when over the limit. */
export function tooLong(label: string, value: string, max: number): string | undefined {
  const length = textLength(value);
  return length > max ? `${label} can be at most ${max} characters (this one has ${length}).` : undefined;
}

/** The price typed: a decimal with at most two places, not negative, at least one cent. */
export function priceProblem(text: string, weighed = false): string | undefined {
  const value = text.trim();
  if (/^-\s*\d/.test(value)) return "Price must not be negative.";
  if (!/^\d{1,6}(\.\d{1,2})?$/.test(value)) {
    return weighed ? "Enter a price per kg like 28.50 (at most two decimals)." : "Enter a price like 3.49 (at most two decimals).";
  }
  return Number(value) === 0 ? PRICE_TOO_LOW : undefined;
}

/** The stock typed: a whole number from 0 (out of stock) to 1,000,000. */
export function stockProblem(text: string, weighed = false): string | undefined {
  const value = text.trim();
  if (/^-\s*\d/.test(value)) return NEGATIVE_STOCK;
  if (!/^\d+$/.test(value) || Number(value) > 1_000_000) {
    return weighed ? "Enter the grams in stock, a whole number from 0 to 1,000,000 (1,000 kg)." : "Enter a whole number from 0 to 1,000,000.";
  }
  return undefined;
}

/** Roughly what the API's email check accepts: one @, a dot in the domain, no spaces. */
export function emailProblem(text: string): string | undefined {
  const value = text.trim();
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value)) return EMAIL_HINT;
  return tooLong("Email", value, TEXT_LIMITS.email);
}
