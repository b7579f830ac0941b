import type { FormEvent } from "react";
import type { ShippingAddress } from "@/lib/api/models";
import { Field } from "../ui/field";
import { Input } from "../ui/input";

export const EMPTY_ADDRESS: ShippingAddress = { full_name: "", line1: "", line2: "", city: "", postal_code: "", country: "", phone: "" };

/** Client-side checks matching the API's ShippingAddress model; the server still validates. */
export function validateAddress(address: ShippingAddress): Record<string, string> {
  const errors: Record<string, string> = {};
  if (!address.full_name.trim()) errors.full_name = "Enter the recipient's name.";
  if (!address.line1.trim()) errors.line1 = "Enter the street address.";
  if (!address.city.trim()) errors.city = "Enter the city.";
  if (address.postal_code.trim().length < 2) errors.postal_code = "Enter the postal code.";
  if (!/^[A-Z]{2}$/.test(address.country.trim())) errors.country = "Use the two-letter country code, e.g. US or GB.";
  return errors;
}

/** Drops empty optional fields so the API sees them as absent. */
export function cleanAddress(address: ShippingAddress): ShippingAddress {
  return {
    full_name: address.full_name.trim(),
    line1: address.line1.trim(),
    ...(address.line2?.trim() ? { line2: address.line2.trim() } : {}),
    city: address.city.trim(),
    postal_code: address.postal_code.trim(),
    country: address.country.trim().toUpperCase(),
    ...(address.phone?.trim() ? { phone: address.phone.trim() } : {}),
  };
}

interface AddressFormProps {
  value: ShippingAddress;
  onChange: (value: ShippingAddress) => void;
  errors: Record<string, string>;
  onSubmit: (event: FormEvent) => void;
  children?: React.ReactNode;
}

export function AddressForm({ value, onChange, errors, onSubmit, children }: AddressFormProps) {
  const set = (key: keyof ShippingAddress) => (event: React.ChangeEvent<HTMLInputElement>) =>
    onChange({ ...value, [key]: key === "country" ? event.target.value.toUpperCase() : event.target.value });

  return (
    <form onSubmit={onSubmit} noValidate className="grid gap-4" aria-label="Delivery address" data-testid="address-form">
      <Field label="Full name" error={errors.full_name}>
        <Input name="full_name" autoComplete="name" value={value.full_name} onChange={set("full_name")} required />
      </Field>
      <Field label="Address line 1" error={errors.line1}>
        <Input name="line1" autoComplete="address-line1" value={value.line1} onChange={set("line1")} required />
      </Field>
      <Field label="Address line 2 (optional)" error={errors.line2}>
        <Input name="line2" autoComplete="address-line2" value={value.line2 ?? ""} onChange={set("line2")} />
      </Field>
      <div className="grid gap-4 sm:grid-cols-2">
        <Field label="City" error={errors.city}>
          <Input name="city" autoComplete="address-level2" value={value.city} onChange={set("city")} required />
        </Field>
        <Field label="Postal code" error={errors.postal_code}>
          <Input name="postal_code" autoComplete="postal-code" value={value.postal_code} onChange={set("postal_code")} required />
        </Field>
      </div>
      <div className="grid gap-4 sm:grid-cols-2">
        <Field label="Country code" hint="Two letters, e.g. US" error={errors.country}>
          <Input name="country" autoComplete="country" maxLength={2} value={value.country} onChange={set("country")} required />
        </Field>
        <Field label="Phone (optional)" error={errors.phone}>
          <Input name="phone" type="tel" autoComplete="tel" value={value.phone ?? ""} onChange={set("phone")} />
        </Field>
      </div>
      {children}
    </form>
  );
}
