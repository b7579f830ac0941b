import { screen, within } from "@testing-library/react";
import { beforeEach, describe, expect, it } from "vitest";
import { sessionStore } from "@/lib/api";
import type { Checkout } from "@/lib/api/models";
import { makeOrder, makePayment, mockFetch, renderRoute } from "@/test/utils";
import MyOrdersPage from "../MyOrdersPage";
import OrderPage from "../OrderPage";

const user = { id: "u1", email: "ann@x.test", full_name: "Ann Lee", role: "shopper" as const, is_active: true, created_at: "2025-01-01T00:00:00Z", phone: null };
const inMinutes = (minutes: number) => new Date(Date.now() + minutes * 60_000).toISOString();

const openOrders = [
  makeOrder({ id: "n1", checkout_id: "new", seller_name: "Farm", status: "pending_payment", payment_status: "unpaid", total: "6.98", created_at: "2025-03-02T10:00:00Z", expires_at: inMinutes(20), payment_error: "Your card was declined.", allowed_transitions: ["cancelled"] }),
  makeOrder({ id: "n2", checkout_id: "new", seller_name: "Bakery", status: "pending_payment", payment_status: "unpaid", total: "4.00", created_at: "2025-03-02T10:00:00Z", expires_at: inMinutes(20), payment_error: "Your card was declined.", allowed_transitions: ["cancelled"] }),
];
const paidOrders = [
  makeOrder({ id: "p1", checkout_id: "old", seller_name: "Farm", status: "delivered", created_at: "2025-03-01T09:00:00Z" }),
  makeOrder({ id: "p2", checkout_id: "old", seller_name: "Dairy", status: "confirmed", created_at: "2025-03-01T09:00:00Z", allowed_transitions: ["cancelled"] }),
];
const openCheckout: Checkout = {
  checkout_id: "new",
  status: "pending_payment",
  amount: "10.98",
  estimated_total: "10.98",
  captured: null,
  currency: "usd",
  expires_at: inMinutes(20),
  payment_error: "Your card was declined.",
  orders: openOrders,
  payment: makePayment({ client_secret: "cs", amount: "10.98", estimated_total: "10.98" }),
};

describe("My orders", () => {
  beforeEach(() => sessionStore.set({ accessToken: "a", user }));

  it("shows one entry per checkout, newest first, each with its per-seller orders", async () => {
    mockFetch([
      { path: "/api/auth/me", body: user },
      // The API pages orders, not checkouts: one checkout's orders may arrive apart.
      { path: "/api/orders/my-orders", body: { items: [paidOrders[0], ...openOrders, paidOrders[1]], next_cursor: null } },
      { path: "/api/checkouts/new", body: openCheckout },
    ]);
    renderRoute(<MyOrdersPage />);
    const groups = await screen.findAllByTestId("checkout-group");
    expect(groups.map((group) => group.dataset.checkoutId)).toEqual(["new", "old"]);
    expect(within(groups[0]).getAllByTestId("order-card").map((card) => card.dataset.orderId)).toEqual(["n1", "n2"]);
    expect(within(groups[1]).getAllByTestId("order-card").map((card) => card.dataset.orderId)).toEqual(["p1", "p2"]);
    expect(groups[1]).toHaveTextContent("2 sellers");
    expect(within(groups[1]).queryByTestId("pay-now")).not.toBeInTheDocument();
  });

  it("offers Pay now on a checkout awaiting payment, with its amount, time left and last decline", async () => {
    mockFetch([
      { path: "/api/auth/me", body: user },
      { path: "/api/orders/my-orders", body: { items: openOrders, next_cursor: null } },
      { path: "/api/checkouts/new", body: openCheckout },
    ]);
    renderRoute(<MyOrdersPage />);
    const payNow = await screen.findByTestId("pay-now");
    expect(payNow).toHaveAttribute("href", "/checkout/pay/new");
    expect(payNow).toHaveTextContent("Pay now · $10.98");
    const panel = screen.getByTestId("pay-now-panel");
    expect(panel).toHaveTextContent("for 2 orders");
    expect(within(panel).getByTestId("time-left")).toHaveTextContent(/^(19|20) min left$/);
    expect(within(panel).getByTestId("pay-now-decline")).toHaveTextContent("Your card was declined.");
  });

  it("says when the payment could not be loaded instead of offering a dead button", async () => {
    mockFetch([
      { path: "/api/auth/me", body: user },
      { path: "/api/orders/my-orders", body: { items: openOrders, next_cursor: null } },
      { path: "/api/checkouts/new", status: 503, body: { error: { code: "unavailable", message: "Try again shortly." } } },
    ]);
    renderRoute(<MyOrdersPage />);
    expect(await screen.findByRole("alert")).toHaveTextContent("The payment could not be loaded: Try again shortly.");
    expect(screen.queryByTestId("pay-now")).not.toBeInTheDocument();
  });
});

describe("Order page", () => {
  beforeEach(() => sessionStore.set({ accessToken: "a", user }));

  it("offers the buyer Pay now on an order awaiting payment", async () => {
    mockFetch([
      { path: "/api/auth/me", body: user },
      { path: "/api/orders/n1", body: openOrders[0] },
      { path: "/api/checkouts/new", body: openCheckout },
    ]);
    renderRoute(<OrderPage />, { path: "/orders/:id", url: "/orders/n1" });
    const section = await screen.findByTestId("order-payment");
    expect(await within(section).findByTestId("pay-now")).toHaveAttribute("href", "/checkout/pay/new");
    expect(section).toHaveTextContent("One payment covers every order of this checkout.");
  });

  it("shows no payment panel once the order is paid", async () => {
    mockFetch([
      { path: "/api/auth/me", body: user },
      { path: "/api/orders/p2", body: paidOrders[1] },
    ]);
    renderRoute(<OrderPage />, { path: "/orders/:id", url: "/orders/p2" });
    expect(await screen.findByTestId("order-timeline")).toBeInTheDocument();
    expect(screen.queryByTestId("order-payment")).not.toBeInTheDocument();
    expect(screen.getByTestId("cancel-order")).toBeInTheDocument();
  });
});
