import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it } from "vitest";
import { sessionStore } from "@/lib/api";
import { makeProduct, mockFetch, renderRoute } from "@/test/utils";
import SellerProductEditPage from "../seller/SellerProductEditPage";

const seller = { id: "s1", email: "s@x.test", full_name: "Farm", role: "seller" as const, is_active: true, created_at: "" };
const loaded = makeProduct({ id: "p1", name: "Pears", description: "Ripe", stock: 10, etag: '"r1.s10"' });

function render() {
  return renderRoute(<SellerProductEditPage />, { path: "/seller/products/:id", url: "/seller/products/p1" });
}

describe("SellerProductEditPage", () => {
  beforeEach(() => sessionStore.set({ accessToken: "a", refreshToken: "r", user: seller }));

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
});
