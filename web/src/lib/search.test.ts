import { describe, expect, it } from "vitest";
import { searchPlaceholder, suggestionHref, withQuery } from "./search";

describe("search helpers", () => {
  it("names only categories that have products as examples, or none", () => {
    const categories = [
      { slug: "fruit-veg", name: "Fruit & Vegetables", count: 16 },
      { slug: "frozen", name: "Frozen", count: 0 },
      { slug: "bakery", name: "Bakery", count: 9 },
      { slug: "pantry", name: "Pantry", count: 12 },
      { slug: "drinks", name: "Drinks", count: 4 },
    ];
    expect(searchPlaceholder(categories)).toBe("Search, e.g. fruit & vegetables, bakery, pantry…");
    expect(searchPlaceholder([{ slug: "frozen", name: "Frozen", count: 0 }])).toBe("Search groceries");
    expect(searchPlaceholder(undefined)).toBe("Search groceries");
  });

  it("sends a category suggestion to its listing and a product suggestion to the product", () => {
    expect(suggestionHref({ kind: "category", label: "Fruit & Vegetables", category: "fruit-veg", product_id: null })).toBe(
      "/products?category=fruit-veg",
    );
    expect(suggestionHref({ kind: "product", label: "Dark Chocolate", category: null, product_id: "p 1" })).toBe("/products/p%201");
  });

  it("searches another query keeping the other filters", () => {
    expect(withQuery(new URLSearchParams("q=mlik&category=dairy-eggs&sort=price"), "milk")).toBe(
      "/products?q=milk&category=dairy-eggs&sort=price",
    );
  });
});
