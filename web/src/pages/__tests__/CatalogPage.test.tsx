import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { makeProduct, mockFetch, renderRoute } from "@/test/utils";
import CatalogPage from "../CatalogPage";

describe("CatalogPage", () => {
  it("searches as you type with one debounced request, and loads more on the cursor", async () => {
    const { calls } = mockFetch([
      { path: "/api/categories", body: { items: [{ slug: "bakery", name: "Bakery", count: 3 }] } },
      {
        path: "/api/products",
        body: (url: URL) =>
          url.searchParams.get("cursor")
            ? { items: [makeProduct({ id: "p2", name: "Rye bread" })], next_cursor: null }
            : { items: [makeProduct({ id: "p1", name: "Sourdough loaf" })], next_cursor: "next-1" },
      },
    ]);
    renderRoute(<CatalogPage />, { path: "/products" });
    expect(await screen.findByText("Sourdough loaf")).toBeInTheDocument();

    const productCalls = () => calls.filter((call) => call.url.pathname === "/api/products");
    const before = productCalls().length;
    await userEvent.type(screen.getByLabelText("Search"), "sour");
    await waitFor(() => expect(productCalls().some((call) => call.url.searchParams.get("q") === "sour")).toBe(true));
    const searches = productCalls().slice(before).filter((call) => call.url.searchParams.has("q"));
    expect(searches.map((call) => call.url.searchParams.get("q"))).toEqual(["sour"]);

    await userEvent.click(screen.getByRole("button", { name: "Load more products" }));
    expect(await screen.findByText("Rye bread")).toBeInTheDocument();
    expect(productCalls().at(-1)!.url.searchParams.get("cursor")).toBe("next-1");
    expect(screen.queryByRole("button", { name: "Load more products" })).toBeNull();
  });

  it("sends category, price range and sort filters", async () => {
    const { calls } = mockFetch([
      { path: "/api/categories", body: { items: [{ slug: "bakery", name: "Bakery", count: 3 }] } },
      { path: "/api/products", body: { items: [], next_cursor: null } },
    ]);
    renderRoute(<CatalogPage />, { path: "/products", url: "/products?category=bakery&min_price=1&max_price=5&sort=-price" });
    expect(await screen.findByText("No groceries match")).toBeInTheDocument();
    const last = calls.filter((call) => call.url.pathname === "/api/products").at(-1)!;
    expect(Object.fromEntries(last.url.searchParams)).toMatchObject({ category: "bakery", min_price: "1", max_price: "5", sort: "-price" });
    expect(screen.getByRole("button", { name: /clear filters/i })).toBeInTheDocument();
  });

  it("shows an error with a retry when the catalog fails", async () => {
    mockFetch([
      { path: "/api/categories", body: { items: [] } },
      { path: "/api/products", status: 503, headers: { "Retry-After": "5" }, body: { error: { code: "unavailable", message: "Database unavailable" } } },
    ]);
    renderRoute(<CatalogPage />, { path: "/products" });
    expect(await screen.findByText("Database unavailable")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: /try again/i })).toBeInTheDocument();
  });
});
