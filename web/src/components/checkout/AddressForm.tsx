import type { ChangeEvent, FormEvent, ReactNode } from "react";
import type { ShippingAddress } from "@/lib/api/models";
import { checkAddress, COUNTRIES, countryByCode, fieldLabels, normalisePostalCode } from "@/lib/countries";
import { Field } from "../ui/field";
import { Input, Select } from "../ui/input";

/** An address as a form edits it: every field a string ("" for empty). */
export interface AddressDraft {
  full_name: string;
  line1: string;
  line2: string;
  city: string;
  region: string;
  postal_code: string;
  country: string;
  phone: string;
}

export const EMPTY_ADDRESS: AddressDraft = { full_name: "", line1: "", line2: "", city: "", region: "", postal_code: "", country: "", phone: "" };

/** A saved, stored or remembered address as the form's strings. */
export function toDraft(address: Partial<Record<keyof AddressDraft, string | null | undefined>>): AddressDraft {
  const draft = { ...EMPTY_ADDRESS };
  for (const key of Object.keys(EMPTY_ADDRESS) as (keyof AddressDraft)[]) draft[key] = address[key] ?? "";
  return draft;
}

/** Client-side checks with the API's own rules for the country (see lib/countries); the server still validates. */
export function validateAddress(address: AddressDraft): Record<string, string> {
  return checkAddress(address);
}

/** Trimmed, the postcode in its usual form, and empty optional fields dropped so the API sees them as absent. */
export function cleanAddress(address: AddressDraft): ShippingAddress {
  // One of the API's countries once checked (the select offers no other); the API refuses anything else.
  const country = address.country.trim().toUpperCase() as ShippingAddress["country"];
  const optional = (key: "line2" | "region" | "phone", value: string) => (value.trim() ? { [key]: value.trim() } : {});
  const postal = address.postal_code.trim();
  return {
    full_name: address.full_name.trim(),
    line1: address.line1.trim(),
    ...optional("line2", address.line2),
    city: address.city.trim(),
    country,
    // A region the country does not use is not sent (the API would drop it anyway).
    ...(countryByCode(country)?.region ? optional("region", countryByCode(country)?.region?.pattern ? address.region.toUpperCase() : address.region) : {}),
    ...(postal ? { postal_code: normalisePostalCode(postal, country) } : {}),
    ...optional("phone", address.phone),
  };
}

interface AddressFieldsProps {
  value: AddressDraft;
  onChange: (value: AddressDraft) => void;
  errors: Record<string, string>;
  /** Prefix of the controls' names, so two address forms on one page stay apart. */
  name?: string;
}

/** The address fields, with labels, hints and the state/county/province field following the country. */
export function AddressFields({ value, onChange, errors, name = "" }: AddressFieldsProps) {
  const set = (key: keyof AddressDraft) => (event: ChangeEvent<HTMLInputElement | HTMLSelectElement>) => onChange({ ...value, [key]: event.target.value });
  const labels = fieldLabels(value.country);
  const country = countryByCode(value.country);
  return (
    <>
      <Field label="Full name" error={errors.full_name}>
        <Input name={`${name}full_name`} autoComplete="name" value={value.full_name} onChange={set("full_name")} required />
      </Field>
      <Field label="Country" error={errors.country}>
        <Select name={`${name}country`} autoComplete="country" value={value.country} onChange={set("country")} required>
          <option value="">Choose the country…</option>
          {COUNTRIES.map((option) => (
            <option key={option.code} value={option.code}>
              {option.name}
            </option>
          ))}
        </Select>
      </Field>
      <Field label="Address line 1" error={errors.line1}>
        <Input name={`${name}line1`} autoComplete="address-line1" value={value.line1} onChange={set("line1")} required />
      </Field>
      <Field label="Address line 2 (optional)" error={errors.line2}>
        <Input name={`${name}line2`} autoComplete="address-line2" value={value.line2} onChange={set("line2")} />
      </Field>
      <div className="grid gap-4 sm:grid-cols-2">
        <Field label={labels.city} error={errors.city}>
          <Input name={`${name}city`} autoComplete="address-level2" value={value.city} onChange={set("city")} required />
        </Field>
        {labels.region && (
          <Field label={labels.region} hint={labels.regionHint} error={errors.region}>
            <Input name={`${name}region`} autoComplete="address-level1" value={value.region} onChange={set("region")} required={country?.region?.required} />
          </Field>
        )}
        <Field label={labels.postalCode} hint={labels.postalHint} error={errors.postal_code}>
          <Input
            name={`${name}postal_code`}
            autoComplete="postal-code"
            value={value.postal_code}
            onChange={set("postal_code")}
            required={country?.postal_code.required ?? true}
          />
        </Field>
        <Field label="Phone (optional)" hint="For the driver, if they need to reach you" error={errors.phone}>
          <Input name={`${name}phone`} type="tel" autoComplete="tel" value={value.phone} onChange={set("phone")} />
        </Field>
      </div>
    </>
  );
}

interface AddressFormProps extends AddressFieldsProps {
  onSubmit: (event: FormEvent) => void;
  children?: ReactNode;
  /** Shown above the fields, inside the form (e.g. a choice of saved addresses). */
  before?: ReactNode;
  /** false: only `before` and `children` (a saved address is chosen, no fields to type). */
  showFields?: boolean;
}

export function AddressForm({ onSubmit, children, before, showFields = true, ...fields }: AddressFormProps) {
  return (
    <form onSubmit={onSubmit} noValidate className="grid gap-4" aria-label="Delivery address" data-testid="address-form">
      {before}
      {showFields && <AddressFields {...fields} />}
      {children}
    </form>
  );
}
