import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it } from "vitest";
import { sessionStore } from "@/lib/api";
import { makeProduct, mockFetch, renderRoute } from "@/test/utils";
import SellerProductEditPage from "../seller/SellerProductEditPage";

const seller = { id: "s1", email: "s@x.test", full_name: "Farm", role: "seller" as const, is_active: true, created_at: "", phone: null };
const loaded = makeProduct({ id: "p1", name: "Pears", description: "Ripe", stock: 10, etag: '"r1.s10"' });

function render() {
  return renderRoute(<SellerProductEditPage />, { path: "/seller/products/:id", url: "/seller/products/p1" });
}

describe("SellerProductEditPage", () => {
  beforeEach(() => sessionStore.set({ accessToken: "a", user: seller }));

  it("loads the product fresh and saves only what changed, naming the version it edits", async () => {
    const { calls } = mockFetch([
      { path: "/api/auth/me", body: seller },
      { path: "/api/seller/products/p1", body: loaded },
      { method: "PUT", path: "/api/products/p1", body: { ...loaded, description: "Ripe and sweet", etag: '"r2.s10"' } },
    ]);
    render();
    const description = await screen.findByLabelText("Description");
    expect(calls.some((call) => call.url.pathname === "/api/products/p1" && call.method === "GET")).toBe(false);
    await userEvent.clear(description);
    await userEvent.type(description, "Ripe and sweet");
    await userEvent.click(screen.getByTestId("save-product"));

    await waitFor(() => expect(calls.some((call) => call.method === "PUT")).toBe(true));
    const put = calls.find((call) => call.method === "PUT")!;
    expect(put.body).toEqual({ description: "Ripe and sweet" });
    expect(put.headers.get("If-Match")).toBe('"r1.s10"');
  });

  it("on 412 shows what changed field by field, and Reload lets the seller save on the current version", async () => {
    const current = { ...loaded, stock: 7, etag: '"r2.s7"' }; // a shopper reserved 3 meanwhile
    const { calls } = mockFetch([
      { path: "/api/auth/me", body: seller },
      { path: "/api/seller/products/p1", body: loaded },
      {
        method: "PUT",
        path: "/api/products/p1",
        replies: [
          { status: 412, body: { error: { code: "stale_product", message: "This product changed after you loaded it.", details: { current } } } },
          { body: { ...current, description: "Ripe and sweet", etag: '"r3.s7"' } },
        ],
      },
    ]);
    render();
    const description = await screen.findByLabelText("Description");
    await userEvent.clear(description);
    await userEvent.type(description, "Ripe and sweet");
    await userEvent.click(screen.getByTestId("save-product"));

    const notice = await screen.findByTestId("stale-product");
    expect(notice).toHaveTextContent("This product changed after you loaded it.");
    const stock = within(notice).getAllByTestId("stale-change").find((row) => row.dataset.field === "stock")!;
    expect(within(stock).getByTestId("stale-yours")).toHaveTextContent("10");
    expect(within(stock).getByTestId("stale-now")).toHaveTextContent("7");
    expect(stock).toHaveTextContent("changed meanwhile");
    expect(screen.getByTestId("save-product")).toBeDisabled();

    await userEvent.click(screen.getByTestId("reload-product"));
    expect(screen.queryByTestId("stale-product")).not.toBeInTheDocument();
    expect(screen.getByLabelText("Stock")).toHaveValue("7");
    expect(screen.getByLabelText("Description")).toHaveValue("Ripe and sweet");
    await userEvent.click(screen.getByTestId("save-product"));

    await waitFor(() => expect(calls.filter((call) => call.method === "PUT")).toHaveLength(2));
    const retry = calls.filter((call) => call.method === "PUT")[1];
    expect(retry.body).toEqual({ description: "Ripe and sweet" });
    expect(retry.headers.get("If-Match")).toBe('"r2.s7"');
  });

  it("creates a product sold by weight: price per kg, stock in grams (shown in kg), minimum and step checked as the API does", async () => {
    const created = makeProduct({ id: "new1", name: "Comté", sold_by: "weight", unit: "kg", price: "28.50", stock: 20000, min_weight_g: 100, step_g: 50 });
    const { calls } = mockFetch([
      { path: "/api/auth/me", body: seller },
      { method: "POST", path: "/api/products", status: 201, body: created },
      { path: "/api/seller/products/new1", body: created },
    ]);
    renderRoute(<SellerProductEditPage />, { path: "/seller/products/new", extraRoutes: [{ path: "/seller/products/:id", element: <p>created</p> }] });
    const set = (label: string, value: string) => fireEvent.change(screen.getByLabelText(label), { target: { value } });
    await userEvent.click(await screen.findByTestId("sold-by-weight"));
    expect(screen.queryByLabelText("Unit")).not.toBeInTheDocument();
    set("Name", "Comté");
    set("Price per kg", "28.50");
    set("Stock in grams", "20000");
    expect(screen.getByLabelText("Stock in grams")).toHaveAccessibleDescription("= 20 kg");
    set("Minimum weight (g)", "120");
    set("Step (g)", "50");
    fireEvent.change(screen.getByLabelText("Category"), { target: { value: "dairy-eggs" } });
    await userEvent.click(screen.getByTestId("save-product"));
    expect(screen.getByLabelText("Minimum weight (g)")).toHaveAccessibleDescription(
      "The least a shopper can buy: a whole number of steps Must be a whole number of steps of 50 g (for example 100).",
    );
    expect(calls.some((call) => call.method === "POST")).toBe(false);

    set("Minimum weight (g)", "100");
    expect(screen.getByLabelText("Step (g)")).toHaveAccessibleDescription("Shoppers choose 100 g, 150 g, 200 g…");
    await userEvent.click(screen.getByTestId("save-product"));
    await waitFor(() => expect(calls.some((call) => call.method === "POST")).toBe(true));
    expect(calls.find((call) => call.method === "POST")!.body).toEqual({
      name: "Comté",
      description: "",
      price: "28.50",
      category: "dairy-eggs",
      stock: 20000,
      sold_by: "weight",
      unit: "kg",
      min_weight_g: 100,
      step_g: 50,
      images: [],
    });
  });

  it("shows how an existing product is sold, and why that can't change", async () => {
    const comte = makeProduct({ id: "p1", name: "Comté", sold_by: "weight", unit: "kg", price: "28.50", stock: 20000, min_weight_g: 100, step_g: 50 });
    mockFetch([
      { path: "/api/auth/me", body: seller },
      { path: "/api/seller/products/p1", body: comte },
    ]);
    render();
    const fixed = await screen.findByTestId("sold-by-fixed");
    expect(fixed).toHaveTextContent("Sold by: weight (price per kg)");
    expect(fixed).toHaveTextContent("can't be changed once the product is created: its stock is counted in grams");
    expect(screen.queryByTestId("sold-by-unit")).not.toBeInTheDocument();
    expect(screen.getByLabelText("Minimum weight (g)")).toHaveValue("100");
  });

  it("counts characters, keeps an over-long paste whole, and says why each field is refused without sending", async () => {
    const { calls } = mockFetch([{ path: "/api/auth/me", body: seller }]);
    renderRoute(<SellerProductEditPage />, { path: "/seller/products/new" });
    const name = await screen.findByLabelText("Name");
    fireEvent.change(name, { target: { value: "n".repeat(310) } });
    expect(name).toHaveValue("n".repeat(310)); // nothing cut
    expect(screen.getAllByTestId("char-count")[0]).toHaveTextContent("310 / 120");
    fireEvent.change(screen.getByLabelText("Price"), { target: { value: "0" } });
    fireEvent.change(screen.getByLabelText("Stock"), { target: { value: "-5" } });
    await userEvent.click(screen.getByTestId("save-product"));
    expect(name).toHaveAttribute("aria-invalid", "true");
    expect(name).toHaveAccessibleDescription(expect.stringContaining("Name can be at most 120 characters (this one has 310)."));
    expect(screen.getByLabelText("Price")).toHaveAccessibleDescription(expect.stringContaining("Enter a price of at least 0.01: a product can't be free."));
    expect(screen.getByLabelText("Stock")).toHaveAccessibleDescription(expect.stringContaining("Stock can't be negative: enter 0 or more."));
    expect(calls.some((call) => call.method === "POST")).toBe(false);
  });
});
