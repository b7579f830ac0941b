import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { sessionStore } from "@/lib/api";
import type { PackingList } from "@/lib/api/models";
import { mockFetch, renderRoute } from "@/test/utils";
import SellerPackingListPage from "../seller/SellerPackingListPage";

const seller = { id: "s1", email: "dairy@x.test", full_name: "Dairy Barn", role: "seller" as const, is_active: true, created_at: "2025-01-01T00:00:00Z", phone: null };
const list: PackingList = {
  slot_id: "delivery-2030-03-06-16:00",
  method: "delivery",
  label: "Wednesday 6 March, 16:00-19:00",
  local_date: "2030-03-06",
  local_start: "16:00",
  order_count: 2,
  products: [
    { product_id: "cheese", name: "Cheddar", unit: "kg", sold_by: "weight", quantity: null, weight_g: 1250, orders: 2 },
    { product_id: "milk", name: "Whole Milk", unit: "1 l", sold_by: "unit", quantity: 3, weight_g: null, orders: 2 },
  ],
  orders: [
    {
      order_id: "order-aaaa1111",
      number: "SG-AAAA-11",
      item_count: 3,
      buyer_name: "Sam Shopper",
      created_at: "2030-03-01T10:00:00Z",
      status: "confirmed",
      address: { full_name: "Sam Shopper", line1: "12 Orchard Lane", line2: null, city: "Springfield", postal_code: "12345", country: "US", phone: "555-0100" },
      lines: [
        { line_id: "l1", product_id: "milk", name: "Whole Milk", unit: "1 l", sold_by: "unit", quantity: 2, weight_g: null, substitution: "none" },
        { line_id: "l2", product_id: "cheese", name: "Cheddar", unit: "kg", sold_by: "weight", quantity: null, weight_g: 750, substitution: "similar" },
      ],
    },
    {
      order_id: "order-bbbb2222",
      number: "SG-BBBB-22",
      item_count: 2,
      buyer_name: "Pat Lee",
      created_at: "2030-03-01T11:00:00Z",
      status: "packed",
      address: { full_name: "Pat Lee", line1: "3 Mill Road", line2: "Flat 2", city: "Riverton", postal_code: "54321", country: "US", phone: null },
      lines: [
        { line_id: "l1", product_id: "milk", name: "Whole Milk", unit: "1 l", sold_by: "unit", quantity: 1, weight_g: null, substitution: "none" },
        { line_id: "l2", product_id: "cheese", name: "Cheddar", unit: "kg", sold_by: "weight", quantity: null, weight_g: 500, substitution: "none" },
      ],
    },
  ],
};

describe("SellerPackingListPage", () => {
  beforeEach(() => sessionStore.set({ accessToken: "a", user: seller }));

  it("sums the window's lines by product, then lists each order, and prints", async () => {
    const { calls } = mockFetch([
      { path: "/api/auth/me", body: seller },
      { path: "/api/seller/packing-list", body: list },
    ]);
    const print = vi.fn();
    vi.stubGlobal("print", print);
    renderRoute(<SellerPackingListPage />, { path: "/seller/packing-list/:slotId", url: `/seller/packing-list/${encodeURIComponent(list.slot_id)}` });

    expect(await screen.findByTestId("packing-list-label")).toHaveTextContent("Wednesday 6 March, 16:00-19:00");
    expect(screen.getByTestId("packing-list-count")).toHaveTextContent("2 orders · 2 products");
    const call = calls.find((entry) => entry.url.pathname === "/api/seller/packing-list")!;
    expect(call.url.searchParams.get("slot_id")).toBe("delivery-2030-03-06-16:00");

    const products = screen.getAllByTestId("packing-product");
    expect(products.map((row) => within(row).getByTestId("packing-product-amount").textContent)).toEqual(["1.25 kg", "3 × 1 l"]);
    const orders = screen.getAllByTestId("packing-order");
    expect(orders[0]).toHaveTextContent("Sam Shopper · Order SG-AAAA-11");
    expect(within(orders[0]).getByTestId("packing-order-address")).toHaveTextContent("12 Orchard Lane, Springfield 12345, United States · 555-0100");
    expect(within(orders[0]).getAllByTestId("packing-order-line").map((line) => line.textContent)).toEqual(["2 × Whole Milk", "750 g Cheddar · substitutes OK"]);
    expect(orders[1]).toHaveTextContent("Flat 2");

    await userEvent.click(screen.getByTestId("print-packing-list"));
    expect(print).toHaveBeenCalledOnce();
    vi.unstubAllGlobals();
  });

  it("says so when the window has no orders yet", async () => {
    mockFetch([
      { path: "/api/auth/me", body: seller },
      { path: "/api/seller/packing-list", body: { ...list, order_count: 0, orders: [], products: [] } },
    ]);
    renderRoute(<SellerPackingListPage />, { path: "/seller/packing-list/:slotId", url: "/seller/packing-list/pickup-2030-03-07-09:00" });
    expect(await screen.findByTestId("packing-list-empty")).toHaveTextContent("No orders to pack for this window yet.");
  });
});
