// Countries we deliver to and how each writes an address. The data is generated from the API's own
// rules (`make countries` writes countries.gen.json from smartgrocer.domain.addresses; a test keeps the
// committed copy current), so the form's labels and checks and the way an address is shown here are
// the ones the server validates and formats with.
import data from "./countries.gen.json";

export interface RegionRule {
  label: string;
  required: boolean;
  hint: string;
  pattern: string | null;
}

export interface PostalRule {
  label: string;
  required: boolean;
  pattern: string | null;
  example: string;
  space_before_last: number;
}

export interface Country {
  code: string;
  name: string;
  city_label: string;
  region: RegionRule | null;
  postal_code: PostalRule;
  lines: string[];
  example: { address: Record<string, string | undefined>; formatted: string[] };
}

/** An address as far as showing it goes: every saved, typed or ordered address has these. */
export interface AddressLike {
  full_name: string;
  line1: string;
  line2?: string | null;
  city: string;
  region?: string | null;
  postal_code?: string | null;
  country: string;
  phone?: string | null;
}

export const COUNTRIES: Country[] = data.countries;
const PHONE_CHARACTERS = new RegExp(`^(?:${data.phone.characters})$`);
const [PHONE_MIN_DIGITS, PHONE_MAX_DIGITS] = data.phone.digits;
const BY_CODE = new Map(COUNTRIES.map((country) => [country.code, country]));

export function countryByCode(code: string | null | undefined): Country | undefined {
  return code ? BY_CODE.get(code.trim().toUpperCase()) : undefined;
}

/** Labels for the fields that change with the country (generic ones before a country is chosen). */
export function fieldLabels(code: string | null | undefined) {
  const country = countryByCode(code);
  return {
    city: country?.city_label ?? "Town or city",
    region: country?.region ? `${country.region.label}${country.region.required ? "" : " (optional)"}` : null,
    regionHint: country?.region?.hint || undefined,
    postalCode: country ? `${country.postal_code.label}${country.postal_code.required ? "" : " (optional)"}` : "Postcode",
    postalHint: country ? `e.g. ${country.postal_code.example}` : undefined,
  };
}

const PLACEHOLDER = /\{(\w+)\}/;

/**
 * One line's template filled in: each field brings the separator written before it and the first field
 * present drops its own (the same rule as the API's format_address).
 */
function fill(template: string, values: Record<string, string>): string {
  const parts = template.split(PLACEHOLDER); // literal, field, literal, field, ..., literal
  const present: [string, string][] = [];
  for (let i = 1; i < parts.length; i += 2) {
    const value = values[parts[i]] ?? "";
    if (value) present.push([parts[i - 1], value]);
  }
  if (present.length === 0) return "";
  return present[0][1] + present.slice(1).map(([separator, value]) => separator + value).join("");
}

/** The address as its country writes it, one string per line (empty lines left out). */
export function formatAddress(address: AddressLike, { includeName = true, includeCountry = true } = {}): string[] {
  const code = (address.country ?? "").toUpperCase();
  const country = countryByCode(code);
  const values: Record<string, string> = {};
  for (const key of ["full_name", "line1", "line2", "city", "region", "postal_code", "country", "phone"] as const) {
    values[key] = String(address[key] ?? "").trim();
  }
  values.country_name = country?.name ?? code;
  let templates = country?.lines ?? ["{line1}", "{line2}", "{city} {region} {postal_code}", "{country_name}"];
  if (!includeCountry) templates = templates.filter((template) => template !== "{country_name}");
  const lines = templates.map((template) => fill(template, values));
  if (includeName) lines.unshift(values.full_name);
  return lines.filter(Boolean);
}

/** Upper case, single spaces, and the country's space where it belongs ("sw1a2aa" -> "SW1A 2AA"). */
export function normalisePostalCode(value: string, code: string): string {
  let text = value.toUpperCase().trim().split(/\s+/).filter(Boolean).join(" ");
  const space = countryByCode(code)?.postal_code.space_before_last ?? 0;
  if (space && !text.includes(" ") && text.length > space) text = `${text.slice(0, -space)} ${text.slice(-space)}`;
  return text;
}

function lowerFirst(text: string): string {
  const first = text.split(" ", 1)[0];
  return first === first.toUpperCase() ? text : text.charAt(0).toLowerCase() + text.slice(1);
}

/**
 * The country-dependent checks of an address, worded as the API words them; `{}` when it passes. The
 * API checks again: this only saves a round trip.
 */
export function checkAddress(address: AddressLike): Record<string, string> {
  const errors: Record<string, string> = {};
  if (!address.full_name.trim()) errors.full_name = "Enter the recipient's name.";
  if (!address.line1.trim()) errors.line1 = "Enter the street address.";
  const country = countryByCode(address.country);
  if (!country) {
    if (!address.city.trim()) errors.city = "Enter the town or city.";
    errors.country = "Choose the country.";
    return errors;
  }
  if (!address.city.trim()) errors.city = `Enter the ${lowerFirst(country.city_label)}.`;
  const region = (address.region ?? "").trim();
  if (country.region) {
    const rule = country.region;
    if (!region && rule.required) errors.region = `Enter the ${lowerFirst(rule.label)}${rule.hint ? ` (${lowerFirst(rule.hint)})` : ""}.`;
    else if (region && rule.pattern && !new RegExp(`^(?:${rule.pattern})$`).test(region.toUpperCase()))
      errors.region = `Write the ${lowerFirst(rule.label)} as its short code (${lowerFirst(rule.hint)}).`;
  }
  const postal = (address.postal_code ?? "").trim();
  const rule = country.postal_code;
  if (!postal) {
    if (rule.required) errors.postal_code = `Enter the ${lowerFirst(rule.label)}, e.g. ${rule.example}.`;
  } else if (rule.pattern && !new RegExp(`^(?:${rule.pattern})$`).test(normalisePostalCode(postal, country.code))) {
    errors.postal_code = `'${postal}' is not a ${country.name} ${lowerFirst(rule.label)}; it looks like ${rule.example}.`;
  }
  const phone = (address.phone ?? "").trim();
  if (phone) {
    const problem = checkPhone(phone);
    if (problem) errors.phone = problem;
  }
  return errors;
}

/** A phone number's problem in words, or null: digits with the usual punctuation, 7 to 15 digits. */
export function checkPhone(phone: string): string | null {
  const text = phone.trim();
  if (!text) return null;
  if (!PHONE_CHARACTERS.test(text)) return "A phone number has digits, spaces, brackets or dashes, and may start with +.";
  const digits = text.replace(/\D/g, "").length;
  if (digits < PHONE_MIN_DIGITS || digits > PHONE_MAX_DIGITS) return `A phone number has between ${PHONE_MIN_DIGITS} and ${PHONE_MAX_DIGITS} digits.`;
  return null;
}
