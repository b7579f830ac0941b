import { describe, expect, it } from "vitest";
import { checkAddress, checkPhone, COUNTRIES, countryByCode, fieldLabels, formatAddress, normalisePostalCode } from "./countries";

describe("countries and address formats (generated from the API's rules)", () => {
  it("lists the marketplace's countries with names", () => {
    const codes = COUNTRIES.map((country) => country.code);
    for (const code of ["US", "GB", "CA", "IE", "AU", "NZ", "DE", "FR", "NL", "ES", "IT"]) expect(codes).toContain(code);
    expect(countryByCode("gb")?.name).toBe("United Kingdom");
    expect(countryByCode("XX")).toBeUndefined();
  });

  it("formats every country's example exactly as the API does", () => {
    for (const country of COUNTRIES) {
      const address = { full_name: "", line1: "", city: "", country: country.code, ...country.example.address };
      expect(formatAddress(address), country.code).toEqual(country.example.formatted);
    }
  });

  it("writes each country's own line order, and drops an empty field with its separator", () => {
    const base = { full_name: "Sam", line1: "1 High St", city: "Town", postal_code: "62701" };
    expect(formatAddress({ ...base, region: "IL", country: "US" })).toEqual(["Sam", "1 High St", "Town, IL 62701", "United States"]);
    expect(formatAddress({ ...base, country: "US" }, { includeCountry: false })).toEqual(["Sam", "1 High St", "Town 62701"]);
    expect(formatAddress({ ...base, postal_code: "10115", country: "DE" }, { includeName: false })).toEqual(["1 High St", "10115 Town", "Germany"]);
    expect(formatAddress({ ...base, postal_code: "SW1A 2AA", country: "GB" })).toEqual(["Sam", "1 High St", "Town", "SW1A 2AA", "United Kingdom"]);
  });

  it("labels the fields the country's way", () => {
    expect(fieldLabels("US")).toMatchObject({ region: "State", postalCode: "ZIP code", postalHint: "e.g. 94105" });
    expect(fieldLabels("GB")).toMatchObject({ region: "County (optional)", postalCode: "Postcode" });
    expect(fieldLabels("IE").postalCode).toBe("Eircode (optional)");
    expect(fieldLabels("DE").region).toBeNull();
  });

  it("checks postcodes and states against the country, in the API's words", () => {
    const address = { full_name: "A", line1: "1", city: "X", country: "US", region: "IL", postal_code: "SW1A 1AA" };
    expect(checkAddress(address)).toEqual({ postal_code: "'SW1A 1AA' is not a United States ZIP code; it looks like 94105." });
    expect(checkAddress({ ...address, region: "" }).region).toBe("Enter the state (two letters, e.g. NY).");
    expect(checkAddress({ ...address, country: "GB", region: "" })).toEqual({});
    expect(checkAddress({ ...address, country: "NL", postal_code: "1012js" })).toEqual({});
    expect(normalisePostalCode("k1m1m4", "CA")).toBe("K1M 1M4");
  });

  it("checks phone numbers sensibly", () => {
    expect(checkPhone("+44 20 7946 0958")).toBeNull();
    expect(checkPhone("12345")).toMatch(/between 7 and 15 digits/);
    expect(checkPhone("call me")).toMatch(/digits, spaces/);
  });
});
