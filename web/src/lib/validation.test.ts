import { describe, expect, it } from "vitest";
import { cleanAddress, validateAddress } from "@/components/checkout/AddressForm";
import { checkPhoto } from "@/components/seller/PhotoUploader";
import { validateSignup } from "@/pages/SignupPage";
import { validateProduct } from "@/pages/seller/SellerProductEditPage";

describe("form rules mirror the API models", () => {
  it("address: a country we deliver to, its own postcode and state rules; optional fields are dropped when empty", () => {
    const address = { full_name: "A", line1: "1", line2: " ", city: "X", region: "", postal_code: "12", country: "usa", phone: "" };
    expect(validateAddress(address)).toEqual({ country: "Choose the country." });
    expect(Object.keys(validateAddress({ ...address, country: "US" })).sort()).toEqual(["postal_code", "region"]);
    expect(validateAddress({ ...address, country: "US", region: "il", postal_code: "62701" })).toEqual({});
    expect(cleanAddress({ ...address, country: "us", region: "IL", postal_code: "62701" })).toEqual({ full_name: "A", line1: "1", city: "X", region: "IL", postal_code: "62701", country: "US" });
    // A region the country does not use is not sent; the postcode is sent in its usual form.
    expect(cleanAddress({ ...address, country: "DE", region: "Bayern", postal_code: "10115" })).toEqual({ full_name: "A", line1: "1", city: "X", postal_code: "10115", country: "DE" });
    expect(cleanAddress({ ...address, country: "GB", postal_code: "sw1a2aa" }).postal_code).toBe("SW1A 2AA");
  });

  it("signup: passwords between 8 characters and 72 bytes", () => {
    const form = { full_name: "A", email: "a@b.co", password: "short", phone: "", is_seller: false };
    expect(validateSignup(form).password).toMatch(/8 characters/);
    expect(validateSignup({ ...form, password: "é".repeat(37) }).password).toMatch(/72 bytes/);
    expect(validateSignup({ ...form, password: "long enough" })).toEqual({});
  });

  it("signup: the phone is checked as the profile checks it", () => {
    const form = { full_name: "A", email: "a@b.co", password: "long enough", phone: "12345", is_seller: false };
    expect(validateSignup(form).phone).toMatch(/between 7 and 15 digits/);
    expect(validateSignup({ ...form, phone: "+1 555 0100" })).toEqual({});
  });

  it("product: price with at most two decimals, whole stock, simple unit", () => {
    const form = { name: "Milk", description: "", price: "1.999", category: "" as const, stock: "-1", unit: "1 l<b>", sold_by: "unit" as const, min_weight_g: "", step_g: "" };
    expect(Object.keys(validateProduct(form)).sort()).toEqual(["category", "price", "stock", "unit"]);
    expect(validateProduct({ ...form, price: "1.99", category: "dairy-eggs" as never, stock: "4", unit: "1 l" })).toEqual({});
  });

  it("product sold by weight: grams for stock, a minimum and a step, the minimum a whole number of steps", () => {
    const form = { name: "Comté", description: "", price: "28.50", category: "dairy-eggs" as never, stock: "20000", unit: "kg", sold_by: "weight" as const, min_weight_g: "", step_g: "" };
    expect(validateProduct(form)).toEqual({ min_weight_g: "Required for a product sold by weight.", step_g: "Required for a product sold by weight." });
    expect(validateProduct({ ...form, min_weight_g: "0", step_g: "6000" })).toEqual({
      min_weight_g: "Enter a whole number of grams from 1 to 10000.",
      step_g: "Enter a whole number of grams from 1 to 5000.",
    });
    expect(validateProduct({ ...form, min_weight_g: "120", step_g: "50" })).toEqual({ min_weight_g: "Must be a whole number of steps of 50 g (for example 100)." });
    expect(validateProduct({ ...form, min_weight_g: "100", step_g: "50", unit: "whatever" })).toEqual({}); // the unit is kg, not asked
  });

  it("photos: type and size are checked before uploading", () => {
    const file = (type: string, size: number) => new File([new Uint8Array(size)], "p", { type });
    expect(checkPhoto(file("image/gif", 10))).toMatch(/JPEG, PNG or WebP/);
    expect(checkPhoto(file("image/png", 0))).toMatch(/empty/);
    expect(checkPhoto(file("image/jpeg", 2048), 1024)).toMatch(/limit/);
    expect(checkPhoto(file("image/webp", 10))).toBeNull();
  });
});
