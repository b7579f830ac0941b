import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { sessionStore } from "@/lib/api";
import type { PayoutRow, SellerPayouts } from "@/lib/api/models";
import { mockFetch, renderRoute } from "@/test/utils";
import SellerPayoutsPage from "../seller/SellerPayoutsPage";

const seller = { id: "s1", email: "farm@x.test", full_name: "Farm", role: "seller" as const, is_active: true, created_at: "2025-01-01T00:00:00Z", phone: null };
const totals = { orders: 3, gross: "30.00", commission: "3.00", net: "27.00", reversed: "3.15", paid: "18.00" };

function row(id: string, overrides: Partial<PayoutRow> = {}): PayoutRow {
  return { order_id: id, order_number: `SG-${id.slice(-1).toUpperCase().padStart(4, "0")}-00`, captured_at: "2025-03-01T10:00:00Z", order_status: "packed", status: "paid", commission_bps: 1000, gross: "10.00", commission: "1.00", net: "9.00", reversed: "0.00", refunded: "0.00", ...overrides };
}
const page = (items: PayoutRow[], next_cursor: string | null): SellerPayouts => ({ currency: "usd", items, next_cursor, totals });

describe("Seller payouts", () => {
  beforeEach(() => sessionStore.set({ accessToken: "a", user: seller }));
  afterEach(() => vi.unstubAllGlobals());

  it("says how payouts come when there are none", async () => {
    mockFetch([
      { path: "/api/auth/me", body: seller },
      { path: "/api/seller/payouts", body: { ...page([], null), totals: { ...totals, orders: 0 } } },
    ]);
    renderRoute(<SellerPayoutsPage />);
    expect(await screen.findByTestId("empty-state")).toHaveTextContent("No payouts yet: you're paid when an order you packed is charged.");
    expect(screen.queryByTestId("download-csv")).not.toBeInTheDocument();
  });

  it("shows the totals and a row per order with its status in words, and loads more with the cursor", async () => {
    const { calls } = mockFetch([
      { path: "/api/auth/me", body: seller },
      {
        path: "/api/seller/payouts",
        body: (url: URL) =>
          url.searchParams.get("cursor") === "next-1"
            ? page([row("order-3", { status: "awaiting_capture" })], null)
            : page([row("order-1"), row("order-2", { status: "partially_reversed", reversed: "3.15", refunded: "3.50", commission_bps: 1250 })], "next-1"),
      },
    ]);
    renderRoute(<SellerPayoutsPage />);
    expect(await screen.findByTestId("payouts-gross")).toHaveTextContent("$30.00");
    expect(screen.getByTestId("payouts-commission")).toHaveTextContent("$3.00");
    expect(screen.getByTestId("payouts-net")).toHaveTextContent("$27.00");
    expect(screen.getByTestId("payouts-reversed")).toHaveTextContent("$3.15");
    expect(screen.getByTestId("payouts-paid")).toHaveTextContent("$18.00");
    let rows = screen.getAllByTestId("payout-row");
    expect(rows).toHaveLength(2);
    expect(within(rows[0]).getByRole("link", { name: "Order SG-0001-00" })).toHaveAttribute("href", "/orders/order-1");
    expect(within(rows[0]).getByTestId("payout-status")).toHaveTextContent("Paid");
    expect(within(rows[1]).getByTestId("payout-status")).toHaveTextContent("Partly reversed");
    expect(rows[1]).toHaveTextContent("at 12.5%");
    expect(rows[1]).toHaveTextContent("$3.50");

    await userEvent.click(screen.getByTestId("load-more"));
    await waitFor(() => expect(screen.getAllByTestId("payout-row")).toHaveLength(3));
    rows = screen.getAllByTestId("payout-row");
    expect(within(rows[2]).getByTestId("payout-status")).toHaveTextContent("Waiting for capture");
    expect(screen.queryByTestId("load-more")).not.toBeInTheDocument();
    const cursors = calls.filter((call) => call.url.pathname === "/api/seller/payouts").map((call) => call.url.searchParams.get("cursor"));
    expect(cursors).toEqual([null, "next-1"]);
  });

  it("downloads every page as one CSV", async () => {
    const { calls } = mockFetch([
      { path: "/api/auth/me", body: seller },
      {
        path: "/api/seller/payouts",
        body: (url: URL) => (url.searchParams.get("cursor") === "next-1" ? page([row("order-3")], null) : page([row("order-1"), row("order-2")], "next-1")),
      },
    ]);
    let saved: Blob | null = null;
    vi.stubGlobal("URL", Object.assign(class extends URL {}, { createObjectURL: (blob: Blob) => ((saved = blob), "blob:csv"), revokeObjectURL: () => {} }));
    const click = vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(() => {});
    renderRoute(<SellerPayoutsPage />);
    await userEvent.click(await screen.findByTestId("download-csv"));
    await waitFor(() => expect(click).toHaveBeenCalled());
    const text = await new Promise<string>((resolve) => {
      const reader = new FileReader();
      reader.onload = () => resolve(String(reader.result));
      reader.readAsText(saved!);
    });
    const lines = text.replace(/^\uFEFF/, "").trim().split("\r\n");
    expect(lines[0]).toMatch(/^Captured at,Order,/);
    expect(lines.slice(1, 4).map((line) => line.split(",")[1])).toEqual(["SG-0001-00", "SG-0002-00", "SG-0003-00"]);
    expect(lines[4]).toBe("Total (3 orders),,,,,30.00,3.00,27.00,0.00,0.00,USD");
    const csvCalls = calls.filter((call) => call.url.searchParams.get("limit") === "100");
    expect(csvCalls.map((call) => call.url.searchParams.get("cursor"))).toEqual([null, "next-1"]);
    expect(screen.getByTestId("download-csv")).toHaveTextContent("Download CSV");
    click.mockRestore();
  });
});
