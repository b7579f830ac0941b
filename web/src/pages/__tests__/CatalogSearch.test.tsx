import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { makeProduct, mockFetch, renderRoute } from "@/test/utils";
import CatalogPage from "../CatalogPage";

const CATEGORIES = {
  items: [
    { slug: "fruit-veg", name: "Fruit & Vegetables", count: 0 },
    { slug: "dairy-eggs", name: "Dairy & Eggs", count: 10 },
    { slug: "bakery", name: "Bakery", count: 9 },
  ],
};

describe("CatalogPage search", () => {
  it("offers a did-you-mean on an empty search and follows it, keeping the filters", async () => {
    const { calls } = mockFetch([
      { path: "/api/categories", body: CATEGORIES },
      {
        path: "/api/products",
        body: (url: URL) =>
          url.searchParams.get("q") === "milk"
            ? { items: [makeProduct({ id: "p1", name: "Whole Milk" })], next_cursor: null, did_you_mean: null }
            : { items: [], next_cursor: null, did_you_mean: "milk" },
      },
    ]);
    const { router } = renderRoute(<CatalogPage />, { path: "/products", url: "/products?q=mlik&category=dairy-eggs" });
    expect(await screen.findByText("No groceries match")).toBeInTheDocument();
    const link = await screen.findByRole("link", { name: "milk" });
    expect(screen.getByTestId("did-you-mean")).toHaveTextContent("Did you mean milk?");
    await userEvent.click(link);
    expect(await screen.findByText("Whole Milk")).toBeInTheDocument();
    expect(Object.fromEntries(new URLSearchParams(router.state.location.search))).toEqual({ q: "milk", category: "dairy-eggs" });
    expect(screen.getByLabelText("Search")).toHaveValue("milk"); // the box follows the address
    const last = calls.filter((call) => call.url.pathname === "/api/products").at(-1)!;
    expect(last.url.searchParams.get("q")).toBe("milk");
    expect(last.url.searchParams.has("sort")).toBe(false); // the API ranks by relevance when there is a query
  });

  it("shows no did-you-mean when the API has none", async () => {
    mockFetch([
      { path: "/api/categories", body: CATEGORIES },
      { path: "/api/products", body: { items: [], next_cursor: null, did_you_mean: null } },
    ]);
    renderRoute(<CatalogPage />, { path: "/products", url: "/products?q=toothpaste" });
    expect(await screen.findByText("No groceries match")).toBeInTheDocument();
    expect(screen.queryByTestId("did-you-mean")).toBeNull();
  });

  it("takes its example words from categories that have products", async () => {
    mockFetch([
      { path: "/api/categories", body: CATEGORIES },
      { path: "/api/products", body: { items: [], next_cursor: null } },
    ]);
    renderRoute(<CatalogPage />, { path: "/products" });
    const box = screen.getByLabelText("Search");
    await waitFor(() => expect(box).toHaveAttribute("placeholder", "Search, e.g. dairy & eggs, bakery…"));
    expect(box).toHaveAttribute("role", "combobox");
  });

  it("turns a picked category suggestion into the category filter, leaving the search", async () => {
    const { calls } = mockFetch([
      { path: "/api/categories", body: CATEGORIES },
      { path: "/api/products/suggest", body: { items: [{ kind: "category", label: "Bakery", category: "bakery", product_id: null }] } },
      { path: "/api/products", body: { items: [makeProduct({ id: "p1", name: "Bagels" })], next_cursor: null, did_you_mean: null } },
    ]);
    const { router } = renderRoute(<CatalogPage />, { path: "/products" });
    await userEvent.type(screen.getByLabelText("Search"), "bak");
    await userEvent.click(await screen.findByTestId("search-suggestion")); // (the category <select> has options too)
    await waitFor(() => expect(Object.fromEntries(new URLSearchParams(router.state.location.search))).toEqual({ category: "bakery" }));
    expect(screen.getByLabelText("Search")).toHaveValue("");
    await waitFor(() => {
      const last = calls.filter((call) => call.url.pathname === "/api/products").at(-1)!;
      expect(Object.fromEntries(last.url.searchParams)).toMatchObject({ category: "bakery" });
      expect(last.url.searchParams.has("q")).toBe(false);
    });
  });
});
