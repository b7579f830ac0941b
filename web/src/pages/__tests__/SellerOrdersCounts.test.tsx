import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it } from "vitest";
import { sessionStore } from "@/lib/api";
import type { SellerOrderCounts } from "@/lib/api/models";
import { makeOrder, mockFetch, renderRoute } from "@/test/utils";
import SellerDashboardPage from "../seller/SellerDashboardPage";
import SellerOrdersPage from "../seller/SellerOrdersPage";

// a deadline for the page's first reads, generous for a busy machine
const LOADED = { timeout: 10_000 };

const seller = { id: "s1", email: "farm@x.test", full_name: "Farm", role: "seller" as const, is_active: true, created_at: "2025-01-01T00:00:00Z", phone: null };

function counts(toPack: number, packed = 0): SellerOrderCounts {
  return {
    by_status: [
      { status: "confirmed", count: toPack },
      { status: "packed", count: packed },
      { status: "out_for_delivery", count: 0 },
      { status: "delivered", count: 0 },
      { status: "cancelled", count: 0 },
    ],
    limit: 1000,
  };
}

describe("the seller's order counts", () => {
  beforeEach(() => sessionStore.set({ accessToken: "a", user: seller }));

  it("shows a count on every tab, and what an empty tab waits for", async () => {
    mockFetch([
      { path: "/api/auth/me", body: seller },
      { path: "/api/sellers/s1/slots", status: 404, body: { error: { code: "no_such_seller", message: "x", details: null } } },
      {
        path: "/api/seller/orders",
        body: (url: URL) =>
          url.searchParams.get("status") === "out_for_delivery"
            ? { items: [], next_cursor: null, counts: counts(3, 1) }
            : { items: [makeOrder({ allowed_transitions: ["packed"] })], next_cursor: null, counts: counts(3, 1) },
      },
    ]);
    renderRoute(<SellerOrdersPage />, { path: "/seller/orders", url: "/seller/orders?status=out_for_delivery" });
    expect(await screen.findByRole("button", { name: "To pack (3)" }, LOADED)).toBeInTheDocument();
    const tabs = screen.getByTestId("status-filter");
    expect(within(tabs).getByRole("button", { name: "Packed (1)" })).toBeInTheDocument();
    expect(within(tabs).getByRole("button", { name: "All (4)" })).toBeInTheDocument();
    expect(within(tabs).getByRole("button", { name: "Out for delivery (0)" })).toHaveAttribute("aria-pressed", "true");
    expect(within(tabs).queryByRole("button", { name: /Awaiting payment/ })).not.toBeInTheDocument();
    expect(await screen.findByText("Nothing on its way. Packed orders appear here once you mark them out for delivery.")).toBeInTheDocument();
  });

  it("refreshes the counts after an action, and puts focus on the tab", async () => {
    let packedYet = false;
    const { fetchMock } = mockFetch([
      { path: "/api/auth/me", body: seller },
      { path: "/api/sellers/s1/slots", status: 404, body: { error: { code: "no_such_seller", message: "x", details: null } } },
      {
        path: "/api/seller/orders",
        body: () =>
          packedYet
            ? { items: [], next_cursor: null, counts: counts(0, 1) }
            : { items: [makeOrder({ allowed_transitions: ["packed"] })], next_cursor: null, counts: counts(1) },
      },
    ]);
    const fallback = fetchMock.getMockImplementation()!;
    fetchMock.mockImplementation(async (input, init) => {
      if (String(input).endsWith("/status")) {
        packedYet = true;
        return new Response(JSON.stringify(makeOrder({ status: "packed", allowed_transitions: ["out_for_delivery"] })), { status: 200 });
      }
      return fallback(input, init);
    });
    renderRoute(<SellerOrdersPage />, { path: "/seller/orders", url: "/seller/orders?status=confirmed" });
    expect(await screen.findByRole("button", { name: "To pack (1)" }, LOADED)).toBeInTheDocument();
    await userEvent.click(await screen.findByTestId("action-packed", {}, LOADED));
    const toPack = await screen.findByRole("button", { name: "To pack (0)" }, LOADED);
    expect(within(screen.getByTestId("status-filter")).getByRole("button", { name: "Packed (1)" })).toBeInTheDocument();
    await waitFor(() => expect(toPack).toHaveFocus());
    expect(await screen.findByText("Nothing to pack. New orders appear here once the shopper's card is authorised.")).toBeInTheDocument();
  });

  it("shows how many orders wait to be packed on the dashboard", async () => {
    const { calls } = mockFetch([
      { path: "/api/auth/me", body: seller },
      { path: "/api/seller/orders", body: { items: [], next_cursor: null, counts: counts(7) } },
    ]);
    renderRoute(<SellerDashboardPage />, { path: "/seller" });
    expect(await screen.findByRole("link", { name: "Orders to pack (7)" }, LOADED)).toHaveAttribute("href", "/seller/orders?status=confirmed");
    expect(calls.find((call) => call.url.pathname === "/api/seller/orders")?.url.searchParams.get("limit")).toBe("1");
  });
});
