import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it } from "vitest";
import { sessionStore } from "@/lib/api";
import type { Checkout, Order } from "@/lib/api/models";
import { basket } from "@/lib/basket";
import { openCheckout } from "@/lib/checkouts";
import { makeLine, makeOrder, makePayment, makeProduct, mockFetch, renderRoute, type MockRoute } from "@/test/utils";
import CheckoutPage from "../CheckoutPage";

const user = { id: "u1", email: "ann@x.test", full_name: "Ann Lee", role: "shopper" as const, is_active: true, created_at: "2025-01-01T00:00:00Z", phone: null };
const apples = makeProduct({ id: "apples", name: "Apples", stock: 10, seller_id: "s1", seller_name: "Farm" });
const bread = makeProduct({ id: "bread", name: "Bread", price: "4.00", stock: 10, seller_id: "s2", seller_name: "Bakery" });
const inTen = () => new Date(Date.now() + 10 * 60_000).toISOString();
const line = (product_id: string, quantity: number) => makeLine({ line_id: product_id, product_id, name: product_id, unit: "each", unit_price: "1.00", quantity, line_total: `${quantity}.00` });

async function fillAddress() {
  await userEvent.type(screen.getByLabelText("Address line 1"), "1 Main St");
  await userEvent.selectOptions(screen.getByLabelText("Country"), "US");
  await userEvent.type(screen.getByLabelText("Town or city"), "Springfield");
  await userEvent.type(screen.getByLabelText("State"), "il");
  await userEvent.type(screen.getByLabelText("ZIP code"), "12345");
}

const pendingOrder = (id: string, sellerName: string, items = [line(id === "o1" ? "apples" : "bread", id === "o1" ? 2 : 1)]): Order =>
  makeOrder({ id, checkout_id: "c1", seller_name: sellerName, status: "pending_payment", payment_status: "unpaid", items, expires_at: inTen(), allowed_transitions: ["cancelled"] });

const openCheckoutView = (orders: Order[]): Checkout => ({
  checkout_id: "c1",
  status: "pending_payment",
  amount: "10.98",
  estimated_total: "10.98",
  captured: null,
  currency: "usd",
  expires_at: inTen(),
  payment_error: null,
  orders,
  payment: makePayment({ client_secret: "cs_1", amount: "10.98", estimated_total: "10.98" }),
});

const base: MockRoute[] = [
  { path: "/api/auth/me", body: user },
  { path: "/api/me/addresses", body: { items: [], max_items: 10 } },
  { path: "/api/products/apples", body: apples },
  { path: "/api/products/bread", body: bread },
];
const noOpenCheckout: MockRoute = { path: "/api/orders/my-orders", body: { items: [], next_cursor: null } };
const payRoute = [{ path: "/checkout/pay/:checkoutId", element: <p>payment page</p> }];

// Typing an address with userEvent is slow on a busy machine: give these tests room.
describe("CheckoutPage", { timeout: 20_000 }, () => {
  beforeEach(() => {
    sessionStore.set({ accessToken: "a", user });
    basket.clear();
    basket.add(apples, 2);
    basket.add(bread, 1);
  });

  it("validates the address locally before calling the API", async () => {
    const { calls } = mockFetch([...base, noOpenCheckout]);
    renderRoute(<CheckoutPage />, { path: "/checkout" });
    await userEvent.click(await screen.findByTestId("place-order"));
    expect(screen.getByLabelText("Town or city")).toHaveAccessibleDescription("Enter the town or city.");
    expect(screen.getByLabelText("Country")).toHaveAccessibleDescription("Choose the country.");
    expect(calls.some((call) => call.method === "POST")).toBe(false);
  });

  it("shows the server's out-of-stock conflict on the affected line", async () => {
    mockFetch([
      ...base,
      noOpenCheckout,
      {
        method: "POST",
        path: "/api/orders",
        status: 409,
        body: { error: { code: "out_of_stock", message: "Some products are out of stock.", details: [{ product_id: "bread", requested: 1, available: 0 }] } },
      },
    ]);
    renderRoute(<CheckoutPage />, { path: "/checkout" });
    await screen.findByTestId("place-order");
    await fillAddress();
    await userEvent.click(screen.getByTestId("place-order"));
    expect(await screen.findByTestId("checkout-error")).toHaveTextContent("Some products are out of stock.");
    const issue = await screen.findByTestId("line-issue");
    expect(issue).toHaveTextContent("Sold out while you were shopping.");
    expect(issue.closest("[data-product-id]")).toHaveAttribute("data-product-id", "bread");
  });

  it("names the sellers whose payouts are not set up when checkout refuses them", async () => {
    mockFetch([
      ...base,
      noOpenCheckout,
      {
        method: "POST",
        path: "/api/orders",
        status: 409,
        body: {
          error: {
            code: "seller_not_payable",
            message: "Farm and Bakery can't take orders yet: their payouts are not set up. Remove their products to check out.",
            details: [
              { seller_id: "s1", seller_name: "Farm" },
              { seller_id: "s2", seller_name: "Bakery" },
            ],
          },
        },
      },
    ]);
    renderRoute(<CheckoutPage />, { path: "/checkout" });
    await screen.findByTestId("place-order");
    await fillAddress();
    await userEvent.click(screen.getByTestId("place-order"));
    expect(await screen.findByTestId("checkout-error")).toHaveTextContent(
      "Farm and Bakery can't take orders yet: their payouts are not set up. Remove those sellers' products from your basket to check out.",
    );
    expect(screen.queryByTestId("line-issue")).not.toBeInTheDocument();
  });

  it("places the order with an idempotency key, remembers it and goes to its payment page", async () => {
    const { calls } = mockFetch([
      ...base,
      noOpenCheckout,
      {
        method: "POST",
        path: "/api/orders",
        status: 201,
        body: { checkout_id: "c1", orders: [pendingOrder("o1", "Farm"), pendingOrder("o2", "Bakery")], payment: makePayment({ client_secret: "cs_1", amount: "10.98", estimated_total: "10.98" }) },
      },
    ]);
    const { router } = renderRoute(<CheckoutPage />, { path: "/checkout", extraRoutes: payRoute });
    await screen.findByTestId("place-order");
    await fillAddress();
    await userEvent.click(screen.getByTestId("place-order"));

    await waitFor(() => expect(router.state.location.pathname).toBe("/checkout/pay/c1"));
    const post = calls.find((call) => call.method === "POST" && call.url.pathname === "/api/orders")!;
    expect(post.headers.get("Idempotency-Key")).toMatch(/^[0-9a-f-]{36}$/);
    expect(post.body).toEqual({
      items: [
        { product_id: "apples", quantity: 2, substitution: "none" },
        { product_id: "bread", quantity: 1, substitution: "none" },
      ],
      shipping_address: { full_name: "Ann Lee", line1: "1 Main St", city: "Springfield", region: "IL", postal_code: "12345", country: "US" },
    });
    expect(openCheckout.get("u1")).toEqual({ checkoutId: "c1", userId: "u1", items: post.body && (post.body as { items: unknown }).items });
    // The basket is only emptied once the payment goes through.
    expect(basket.get()).toHaveLength(2);
  });

  it("sends weighed lines in grams with each line's substitution choice, after showing the estimate and the hold", async () => {
    const mince = makeProduct({ id: "mince", name: "Counter mince", price: "11.80", unit: "kg", sold_by: "weight", min_weight_g: 250, step_g: 50, stock: 5_000, seller_id: "s1", seller_name: "Farm" });
    basket.add(mince, 750); // 8.85, held with 10%: 9.735 -> 9.74
    basket.setSubstitution("bread", "similar");
    localStorage.setItem("sg.address", JSON.stringify({ full_name: "Ann Lee", line1: "1 Main St", city: "Springfield", region: "IL", postal_code: "12345", country: "US" }));
    const { calls } = mockFetch([
      ...base,
      noOpenCheckout,
      { path: "/api/products/mince", body: mince },
      {
        method: "POST",
        path: "/api/orders",
        status: 201,
        body: { checkout_id: "c1", orders: [pendingOrder("o1", "Farm")], payment: makePayment({ amount: "20.72", estimated_total: "19.83" }) },
      },
    ]);
    const { router } = renderRoute(<CheckoutPage />, { path: "/checkout", extraRoutes: payRoute });
    const estimate = await screen.findByTestId("basket-estimate");
    // apples 2 x 3.49 + bread 4.00 + mince 8.85 = 19.83; held: 6.98 + 9.74 (Farm) + 4.00 (Bakery) = 20.72
    expect(estimate).toHaveTextContent("Estimated total$19.83");
    expect(estimate).toHaveTextContent("Authorised on your card$20.72");
    expect(screen.getByTestId("estimate-explanation")).toHaveTextContent(
      "We hold $20.72 on your card: your estimate plus 10% on weighed items. You pay only for what is packed.",
    );
    expect(screen.getByTestId("place-order")).toHaveTextContent("Continue to payment · $20.72");
    await userEvent.click(screen.getByTestId("place-order"));
    await waitFor(() => expect(router.state.location.pathname).toBe("/checkout/pay/c1"));
    const post = calls.find((call) => call.method === "POST" && call.url.pathname === "/api/orders")!;
    expect((post.body as { items: unknown }).items).toEqual([
      { product_id: "apples", quantity: 2, substitution: "none" },
      { product_id: "bread", quantity: 1, substitution: "similar" },
      { product_id: "mince", weight_g: 750, substitution: "none" },
    ]);
  });

  it("resumes the open checkout when the basket still matches it, without placing another", async () => {
    openCheckout.remember({ checkoutId: "c1", userId: "u1", items: [{ product_id: "apples", quantity: 2 }, { product_id: "bread", quantity: 1 }] });
    const { calls } = mockFetch([...base, { path: "/api/checkouts/c1", body: openCheckoutView([pendingOrder("o1", "Farm"), pendingOrder("o2", "Bakery")]) }]);
    const { router } = renderRoute(<CheckoutPage />, { path: "/checkout", extraRoutes: payRoute });
    await waitFor(() => expect(router.state.location.pathname).toBe("/checkout/pay/c1"));
    expect(calls.some((call) => call.method === "POST")).toBe(false);
  });

  it("finds an open checkout from another tab in My orders and, as the basket changed, offers to resume it or start fresh", async () => {
    basket.add(apples, 1); // 3 apples now, the open checkout holds 2
    let cancelled = 0;
    const orders = [pendingOrder("o1", "Farm"), pendingOrder("o2", "Bakery")];
    const { calls } = mockFetch([
      ...base,
      { path: "/api/orders/my-orders", body: () => ({ items: cancelled === 2 ? [] : orders, next_cursor: null }) },
      { path: "/api/checkouts/c1", body: () => (cancelled === 2 ? { ...openCheckoutView([]), status: "closed", payment: null } : openCheckoutView(orders)) },
      {
        method: "PATCH",
        path: /^\/api\/orders\/o[12]\/status$/,
        body: (url: URL) => {
          cancelled++;
          return { ...orders[0], id: url.pathname.split("/")[3], status: "cancelled" };
        },
      },
    ]);
    renderRoute(<CheckoutPage />, { path: "/checkout", extraRoutes: payRoute });

    const choice = await screen.findByTestId("open-checkout");
    expect(choice).toHaveTextContent("2 orders for $10.98");
    expect(choice).toHaveTextContent(/\d+ min left/);
    expect(screen.getByTestId("basket-changed")).toHaveTextContent("Your basket has changed since");
    expect(screen.getByTestId("resume-checkout")).toHaveAttribute("href", "/checkout/pay/c1");
    expect(screen.queryByTestId("place-order")).not.toBeInTheDocument();

    await userEvent.click(screen.getByTestId("start-fresh"));
    expect(await screen.findByTestId("place-order")).toBeInTheDocument();
    const patches = calls.filter((call) => call.method === "PATCH");
    expect(patches.map((call) => [call.url.pathname, call.body])).toEqual([
      ["/api/orders/o1/status", { status: "cancelled" }],
      ["/api/orders/o2/status", { status: "cancelled" }],
    ]);
    expect(calls.some((call) => call.method === "POST")).toBe(false);
  });

  it("keeps the choice on screen and says why when the open checkout cannot be cancelled", async () => {
    basket.add(apples, 1);
    const orders = [pendingOrder("o1", "Farm"), pendingOrder("o2", "Bakery")];
    openCheckout.remember({ checkoutId: "c1", userId: "u1", items: [] });
    mockFetch([
      ...base,
      { path: "/api/checkouts/c1", body: openCheckoutView(orders) },
      { method: "PATCH", path: /^\/api\/orders\/o[12]\/status$/, status: 409, body: { error: { code: "conflict", message: "This order was paid in the meantime." } } },
    ]);
    renderRoute(<CheckoutPage />, { path: "/checkout", extraRoutes: payRoute });
    await userEvent.click(await screen.findByTestId("start-fresh"));
    expect(await screen.findByTestId("start-fresh-error")).toHaveTextContent("This order was paid in the meantime.");
    expect(screen.getByTestId("start-fresh")).toBeEnabled();
    expect(screen.queryByTestId("place-order")).not.toBeInTheDocument();
  });

  it("forgets a remembered checkout that has expired and shows the form", async () => {
    openCheckout.remember({ checkoutId: "c1", userId: "u1", items: [] });
    mockFetch([...base, noOpenCheckout, { path: "/api/checkouts/c1", body: { ...openCheckoutView([]), expires_at: "2020-01-01T00:00:00Z", payment: null } }]);
    renderRoute(<CheckoutPage />, { path: "/checkout" });
    expect(await screen.findByTestId("place-order")).toBeEnabled();
    expect(openCheckout.get("u1")).toBeNull();
  });
});
