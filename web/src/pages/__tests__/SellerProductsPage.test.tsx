import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it } from "vitest";
import { sessionStore } from "@/lib/api";
import { makeProduct, mockFetch, renderRoute } from "@/test/utils";
import SellerProductsPage from "../seller/SellerProductsPage";

const seller = { id: "s1", email: "s@x.test", full_name: "Farm", role: "seller" as const, is_active: true, created_at: "", phone: null };

describe("SellerProductsPage quick stock edit", () => {
  beforeEach(() => sessionStore.set({ accessToken: "a", user: seller }));

  it("names the version it showed, and on 412 shows the current stock instead of overwriting it", async () => {
    const listed = makeProduct({ id: "p1", name: "Pears", stock: 10, etag: '"r1.s10"' });
    const current = { ...listed, stock: 7, etag: '"r2.s7"' };
    const { calls } = mockFetch([
      { path: "/api/auth/me", body: seller },
      { path: "/api/seller/products", body: { items: [listed], next_cursor: null } },
      {
        method: "PUT",
        path: "/api/products/p1",
        replies: [{ status: 412, body: { error: { code: "stale_product", message: "changed", details: { current } } } }],
      },
    ]);
    renderRoute(<SellerProductsPage />, { path: "/seller/products" });
    const input = await screen.findByLabelText("Stock");
    await userEvent.clear(input);
    await userEvent.type(input, "25");
    await userEvent.click(screen.getByRole("button", { name: /stock for Pears/ }));

    expect(await screen.findByRole("alert")).toHaveTextContent("it is 7 now, not 10");
    const put = calls.find((call) => call.method === "PUT")!;
    expect(put.body).toEqual({ stock: 25 });
    expect(put.headers.get("If-Match")).toBe('"r1.s10"');
    await waitFor(() => expect(screen.getByLabelText("Stock")).toHaveValue("7"));
  });
});
