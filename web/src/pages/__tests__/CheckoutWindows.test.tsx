import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it } from "vitest";
import { sessionStore } from "@/lib/api";
import type { DeliveryWindow, SellerSlots } from "@/lib/api/models";
import { basket } from "@/lib/basket";
import { makeOrder, makePayment, makeProduct, mockFetch, renderRoute, type MockRoute } from "@/test/utils";
import CheckoutPage from "../CheckoutPage";

const user = { id: "u1", email: "ann@x.test", full_name: "Ann Lee", role: "shopper" as const, is_active: true, created_at: "2025-01-01T00:00:00Z", phone: null };
const milk = makeProduct({ id: "milk", name: "Milk", price: "5.00", stock: 10, seller_id: "dairy", seller_name: "Dairy Barn" });
const bread = makeProduct({ id: "bread", name: "Bread", price: "4.00", stock: 10, seller_id: "bake", seller_name: "The Bakehouse" });
const jam = makeProduct({ id: "jam", name: "Jam", price: "3.00", stock: 10, seller_id: "pantry", seller_name: "Corner Pantry" });

const w = (slot_id: string, label: string, remaining: number): DeliveryWindow => {
  const [, method, date, start] = /^(delivery|pickup)-(\d{4}-\d{2}-\d{2})-(\d{2}:\d{2})$/.exec(slot_id)!;
  const end = method === "delivery" ? "19:00" : "10:00";
  return { slot_id, method: method as DeliveryWindow["method"], start: `${date}T${start}:00Z`, end: `${date}T${end}:00Z`, local_date: date, local_start: start, local_end: end, label, cutoff_at: `${date}T00:00:00Z`, remaining };
};
const dairySlots: SellerSlots = {
  seller_id: "dairy",
  seller_name: "Dairy Barn",
  timezone: "America/New_York",
  items: [w("delivery-2030-03-04-16:00", "Monday 4 March, 16:00-19:00", 0), w("delivery-2030-03-06-16:00", "Wednesday 6 March, 16:00-19:00", 3)],
  delivery: { fee: "3.00", free_over: "25.00", min_order: "0.00", cutoff_hours: 24 },
  pickup: null,
};
const bakeSlots: SellerSlots = {
  seller_id: "bake",
  seller_name: "The Bakehouse",
  timezone: "America/New_York",
  items: [w("pickup-2030-03-04-07:00", "Monday 4 March, 07:00-10:00", 10), w("pickup-2030-03-05-07:00", "Tuesday 5 March, 07:00-10:00", 10)],
  delivery: null,
  pickup: { address: "12 Mill Lane, Springfield", cutoff_hours: 2 },
};

let dairyReads = 0;
const base: MockRoute[] = [
  { path: "/api/auth/me", body: user },
  { path: "/api/me/addresses", body: { items: [], max_items: 10 } },
  { path: "/api/products/milk", body: milk },
  { path: "/api/products/bread", body: bread },
  { path: "/api/products/jam", body: jam },
  { path: "/api/orders/my-orders", body: { items: [], next_cursor: null } },
  {
    path: "/api/sellers/dairy/slots",
    body: () => {
      dairyReads++;
      return dairySlots;
    },
  },
  { path: "/api/sellers/bake/slots", body: bakeSlots },
  { path: "/api/sellers/pantry/slots", status: 404, body: { error: { code: "no_such_seller", message: "No such seller." } } },
];
const payRoute = [{ path: "/checkout/pay/:checkoutId", element: <p>payment page</p> }];

function picker(sellerId: string) {
  return screen.getAllByTestId("window-picker").find((element) => element.getAttribute("data-seller-id") === sellerId)!;
}

describe("Checkout: delivery and pickup windows", { timeout: 20_000 }, () => {
  beforeEach(() => {
    dairyReads = 0;
    sessionStore.set({ accessToken: "a", user });
    basket.clear();
    basket.add(milk, 2); // 10.00: delivery 3.00
    basket.add(bread, 1);
    basket.add(jam, 1);
    localStorage.setItem("sg.address", JSON.stringify({ full_name: "Ann Lee", line1: "1 Main St", city: "Springfield", region: "IL", postal_code: "12345", country: "US" }));
  });

  it("asks for a window per seller with windows, shows full windows disabled and the pickup address, and sends the choice", async () => {
    const { calls } = mockFetch([
      ...base,
      {
        method: "POST",
        path: "/api/orders",
        status: 201,
        body: { checkout_id: "c1", orders: [makeOrder({ status: "pending_payment" })], payment: makePayment({ amount: "20.00" }) },
      },
    ]);
    const { router } = renderRoute(<CheckoutPage />, { path: "/checkout", extraRoutes: payRoute });
    const dairy = await waitFor(() => picker("dairy"));
    expect(screen.getByTestId("seller-arranges")).toHaveTextContent("delivery arranged by Corner Pantry");

    // A seller who only delivers starts on delivery; its windows are grouped by day, the full one disabled.
    const days = within(dairy).getAllByTestId("window-day");
    expect(days.map((day) => day.textContent?.slice(0, 16))).toEqual(["Monday 4 March16", "Wednesday 6 Marc"]);
    const full = within(dairy).getByRole("radio", { name: "Monday 4 March, 16:00-19:00, full" });
    expect(full).toBeDisabled();
    expect(within(dairy).getAllByTestId("window-option")[0]).toHaveTextContent("Full");
    expect(within(dairy).getAllByTestId("window-option")[1]).toHaveTextContent("3 places left");
    expect(within(dairy).getAllByTestId("window-cutoff")[0]).toHaveTextContent(/^Closes at /);
    expect(within(dairy).getByTestId("picker-fee")).toHaveTextContent("Delivery fee$3.00");

    // Placing without choosing: told per seller, nothing sent.
    await userEvent.click(screen.getByTestId("place-order"));
    expect(within(dairy).getByTestId("window-error")).toHaveTextContent("Choose a delivery or pickup window for Dairy Barn.");
    expect(within(picker("bake")).getByTestId("window-error")).toHaveTextContent("Choose a delivery or pickup window for The Bakehouse.");
    expect(screen.getByTestId("checkout-error")).toHaveTextContent("Choose how you get each order");
    expect(calls.some((call) => call.method === "POST")).toBe(false);

    await userEvent.click(within(dairy).getByRole("radio", { name: "Wednesday 6 March, 16:00-19:00, 3 left" }));
    const bake = picker("bake");
    expect(within(bake).getByTestId("pickup-address")).toHaveTextContent("Collect from 12 Mill Lane, Springfield");
    await userEvent.click(within(bake).getByRole("radio", { name: "Tuesday 5 March, 07:00-10:00, 10 left" }));
    expect(within(dairy).queryByTestId("window-error")).not.toBeInTheDocument();
    expect(screen.queryByTestId("checkout-error")).not.toBeInTheDocument();

    // Goods 17.00 plus the 3.00 delivery fee.
    expect(screen.getByTestId("estimate-fees")).toHaveTextContent("$3.00");
    expect(screen.getByTestId("estimate-total")).toHaveTextContent("$20.00");
    expect(screen.getByTestId("place-order")).toHaveTextContent("Continue to payment · $20.00");
    await userEvent.click(screen.getByTestId("place-order"));
    await waitFor(() => expect(router.state.location.pathname).toBe("/checkout/pay/c1"));
    const post = calls.find((call) => call.method === "POST")!;
    expect((post.body as { fulfilment: unknown }).fulfilment).toEqual({
      dairy: { method: "delivery", slot_id: "delivery-2030-03-06-16:00" },
      bake: { method: "pickup", slot_id: "pickup-2030-03-05-07:00" },
    });
    expect(post.headers.get("Idempotency-Key")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("shows the API's refusal next to the seller it names, and on a full window reads the windows again", async () => {
    const { calls } = mockFetch([
      ...base,
      {
        method: "POST",
        path: "/api/orders",
        replies: [
          {
            status: 409,
            body: {
              error: {
                code: "window_full",
                message: "Dairy Barn's delivery window Wednesday 6 March, 16:00-19:00 is full: choose another.",
                details: { seller_id: "dairy", slot_id: "delivery-2030-03-06-16:00" },
              },
            },
          },
          {
            status: 422,
            body: {
              error: {
                code: "window_closed",
                message: "The Bakehouse: orders for the pickup window on Tuesday 5 March at 07:00 closed on Tuesday 5 March at 05:00 (America/New_York time).",
                details: { slot_id: "pickup-2030-03-05-07:00", method: "pickup" },
              },
            },
          },
        ],
      },
    ]);
    renderRoute(<CheckoutPage />, { path: "/checkout", extraRoutes: payRoute });
    const dairy = await waitFor(() => picker("dairy"));
    await userEvent.click(within(dairy).getByRole("radio", { name: "Wednesday 6 March, 16:00-19:00, 3 left" }));
    await userEvent.click(within(picker("bake")).getByRole("radio", { name: "Tuesday 5 March, 07:00-10:00, 10 left" }));
    const readsBefore = dairyReads;
    await userEvent.click(screen.getByTestId("place-order"));

    expect(await within(picker("dairy")).findByTestId("window-error")).toHaveTextContent("Dairy Barn's delivery window Wednesday 6 March, 16:00-19:00 is full: choose another.");
    expect(within(picker("bake")).queryByTestId("window-error")).not.toBeInTheDocument();
    expect(screen.getByTestId("checkout-error")).toHaveTextContent("Check how you get your order from Dairy Barn");
    await waitFor(() => expect(dairyReads).toBeGreaterThan(readsBefore));
    expect(within(picker("dairy")).getByRole("radio", { name: "Wednesday 6 March, 16:00-19:00, 3 left" })).not.toBeChecked();
    // No stock line is blamed for a full window.
    expect(screen.queryByTestId("line-issue")).not.toBeInTheDocument();

    await userEvent.click(within(picker("dairy")).getByRole("radio", { name: "Wednesday 6 March, 16:00-19:00, 3 left" }));
    await userEvent.click(screen.getByTestId("place-order"));
    // The window checks name the seller only in words and the window: matched to the seller who chose it.
    expect(await within(picker("bake")).findByTestId("window-error")).toHaveTextContent("The Bakehouse: orders for the pickup window on Tuesday 5 March at 07:00 closed");
    const posts = calls.filter((call) => call.method === "POST");
    expect(posts).toHaveLength(2);
    expect(posts[0].headers.get("Idempotency-Key")).not.toBe(posts[1].headers.get("Idempotency-Key"));
  });
});
