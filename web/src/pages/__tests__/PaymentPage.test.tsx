import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it } from "vitest";
import { sessionStore } from "@/lib/api";
import type { Checkout, Order } from "@/lib/api/models";
import { basket } from "@/lib/basket";
import { openCheckout } from "@/lib/checkouts";
import { makeLine, makeOrder, makePayment, makeProduct, mockFetch, renderRoute } from "@/test/utils";
import PaymentPage from "../PaymentPage";

const user = { id: "u1", email: "ann@x.test", full_name: "Ann Lee", role: "shopper" as const, is_active: true, created_at: "2025-01-01T00:00:00Z", phone: null };
const inMinutes = (minutes: number) => new Date(Date.now() + minutes * 60_000).toISOString();
const apples = makeProduct({ id: "apples", stock: 10 });

const orders: Order[] = [
  makeOrder({ id: "o1", seller_name: "Farm", status: "pending_payment", payment_status: "unpaid", total: "6.98", allowed_transitions: ["cancelled"], items: [makeLine({ product_id: "apples", name: "Apples", unit: "kg", unit_price: "3.49", quantity: 2, line_total: "6.98" })] }),
  makeOrder({ id: "o2", seller_name: "Bakery", status: "pending_payment", payment_status: "unpaid", total: "4.00", allowed_transitions: ["cancelled"], items: [makeLine({ product_id: "bread", name: "Bread", unit: "each", unit_price: "4.00", quantity: 1, line_total: "4.00" })] }),
];

function view(overrides: Partial<Checkout> = {}): Checkout {
  return {
    checkout_id: "c1",
    status: "pending_payment",
    amount: "10.98",
    estimated_total: "10.98",
    captured: null,
    currency: "usd",
    expires_at: inMinutes(14.5),
    payment_error: null,
    orders,
    payment: makePayment({ client_secret: "cs_1", amount: "10.98", estimated_total: "10.98" }),
    ...overrides,
  };
}

const routes = [
  { path: "/checkout/complete", element: <p>confirmation</p> },
  { path: "/basket", element: <p>basket page</p> },
];
const render = () => renderRoute(<PaymentPage />, { path: "/checkout/pay/:checkoutId", url: "/checkout/pay/c1", extraRoutes: routes });

async function typeCard(number: string) {
  const card = await screen.findByTestId("card-number");
  await userEvent.clear(card);
  await userEvent.type(card, number);
}

describe("PaymentPage", { timeout: 20_000 }, () => {
  beforeEach(() => {
    sessionStore.set({ accessToken: "a", user });
    basket.clear();
  });

  it("shows the amount, the time left and what the payment covers", async () => {
    mockFetch([{ path: "/api/auth/me", body: user }, { path: "/api/checkouts/c1", body: view() }]);
    render();
    expect(await screen.findByRole("heading", { name: "Authorise $10.98" })).toBeInTheDocument();
    expect(screen.getByTestId("time-left")).toHaveTextContent("14 min left");
    const summary = screen.getByTestId("checkout-summary");
    expect(within(summary).getByText("From Farm")).toBeInTheDocument();
    expect(within(summary).getByText("From Bakery")).toBeInTheDocument();
    expect(screen.queryByTestId("payment-declined")).not.toBeInTheDocument();
  });

  it("says the card is authorised, not charged, and sums up the estimate and the hold with weighed lines", async () => {
    const weighed = makeOrder({
      id: "o3",
      seller_name: "Farm",
      status: "pending_payment",
      payment_status: "unpaid",
      estimated_total: "6.90",
      authorized_amount: "7.14",
      items: [
        makeLine({ line_id: "L1", name: "Loose apples", sold_by: "weight", unit: "kg", unit_price: "3.20", quantity: null, weight_g: 750, line_total: "2.40" }),
        makeLine({ line_id: "L2", name: "Avocados", unit: "each", unit_price: "1.50", quantity: 3, line_total: "4.50", substitution: "similar" }),
      ],
    });
    mockFetch([
      { path: "/api/auth/me", body: user },
      { path: "/api/checkouts/c1", body: view({ orders: [weighed], amount: "7.14", estimated_total: "6.90", payment: makePayment({ amount: "7.14", estimated_total: "6.90" }) }) },
    ]);
    render();
    expect(await screen.findByRole("heading", { name: "Authorise $7.14" })).toBeInTheDocument();
    expect(screen.getByTestId("authorise-note")).toHaveTextContent("the amount is held, not charged. You are charged only for what the sellers pack");
    expect(screen.getByTestId("pay-button")).toHaveTextContent("Authorise $7.14");
    const summary = screen.getByTestId("checkout-summary");
    expect(within(summary).getByText("750 g Loose apples")).toBeInTheDocument();
    expect(within(summary).getByTestId("summary-estimate")).toHaveTextContent("$6.90");
    expect(within(summary).getByTestId("summary-authorised")).toHaveTextContent("$7.14");
    expect(within(summary).getByTestId("hold-explanation")).toHaveTextContent(
      "We hold $7.14 on your card: your estimate plus 10% on weighed items. You pay only for what is packed.",
    );
  });

  it("after a decline shows the message and takes another card on the same payment", async () => {
    basket.add(apples, 3);
    openCheckout.remember({ checkoutId: "c1", userId: "u1", items: [{ product_id: "apples", quantity: 2 }] });
    let declined = false;
    const { calls } = mockFetch([
      { path: "/api/auth/me", body: user },
      { path: "/api/checkouts/c1", body: () => view({ payment_error: declined ? "Your card was declined." : null }) },
      {
        method: "POST",
        path: "/local/payments/confirm",
        body: (url: URL) => {
          void url;
          const last = calls[calls.length - 1].body as { card_number: string };
          declined = last.card_number === "4000000000000002";
          return { status: declined ? "failed" : "authorized" };
        },
      },
    ]);
    const { router } = render();

    await typeCard("4000 0000 0000 0002");
    await userEvent.click(screen.getByTestId("pay-button"));
    const alert = await screen.findByTestId("payment-declined");
    expect(within(alert).getByTestId("decline-message")).toHaveTextContent("Your card was declined.");
    expect(alert).toHaveTextContent("No money was taken");
    expect(screen.getByTestId("pay-button")).toBeEnabled();
    expect(router.state.location.pathname).toBe("/checkout/pay/c1");

    await typeCard("4242 4242 4242 4242");
    await userEvent.click(screen.getByTestId("pay-button"));
    await waitFor(() => expect(router.state.location.pathname).toBe("/checkout/complete"));
    expect(router.state.location.search).toBe("?orders=o1,o2&checkout=c1");

    const confirms = calls.filter((call) => call.url.pathname === "/local/payments/confirm").map((call) => call.body);
    expect(confirms).toEqual([
      { client_secret: "cs_1", card_number: "4000000000000002" },
      { client_secret: "cs_1", card_number: "4242424242424242" },
    ]);
    expect(calls.some((call) => call.method === "POST" && call.url.pathname === "/api/orders")).toBe(false);
    // What this checkout bought left the basket; the apple added since stayed.
    expect(basket.get().map((line) => [line.product.id, line.quantity])).toEqual([["apples", 1]]);
    expect(openCheckout.get("u1")).toBeNull();
  });

  it("shows an earlier decline when the shopper comes back to pay", async () => {
    mockFetch([{ path: "/api/auth/me", body: user }, { path: "/api/checkouts/c1", body: view({ payment_error: "Your card has insufficient funds." }) }]);
    render();
    expect(await screen.findByTestId("decline-message")).toHaveTextContent("Your card has insufficient funds.");
    expect(screen.getByTestId("pay-button")).toBeEnabled();
  });

  it("disables the pay button while the payment is being confirmed", async () => {
    let release: (value: Response) => void = () => {};
    const { fetchMock } = mockFetch([{ path: "/api/auth/me", body: user }, { path: "/api/checkouts/c1", body: view() }]);
    const fallback = fetchMock.getMockImplementation()!;
    fetchMock.mockImplementation((input, init) =>
      String(input).includes("/local/payments/confirm") ? new Promise<Response>((resolve) => (release = resolve)) : fallback(input, init),
    );
    render();
    await userEvent.click(await screen.findByTestId("pay-button"));
    await waitFor(() => expect(screen.getByTestId("pay-button")).toBeDisabled());
    expect(screen.getByTestId("pay-button")).toHaveTextContent("Processing…");
    release(new Response(JSON.stringify({ error: { code: "card_declined", message: "use test card 4242424242424242 (succeeds)" } }), { status: 422 }));
    expect(await screen.findByTestId("payment-error")).toHaveTextContent("use test card");
    expect(screen.getByTestId("pay-button")).toBeEnabled();
  });

  it("says when the time to pay has run out, and that nothing was charged", async () => {
    openCheckout.remember({ checkoutId: "c1", userId: "u1", items: [] });
    mockFetch([{ path: "/api/auth/me", body: user }, { path: "/api/checkouts/c1", body: view({ expires_at: inMinutes(-1), payment: null }) }]);
    render();
    expect(await screen.findByTestId("checkout-closed")).toHaveTextContent("Nothing was charged");
    expect(screen.queryByTestId("pay-button")).not.toBeInTheDocument();
    await waitFor(() => expect(openCheckout.get("u1")).toBeNull());
  });

  it("sends a paid checkout to its orders instead of asking again", async () => {
    mockFetch([{ path: "/api/auth/me", body: user }, { path: "/api/checkouts/c1", body: view({ status: "authorized", payment: null }) }]);
    render();
    expect(await screen.findByTestId("checkout-already-paid")).toBeInTheDocument();
    expect(screen.queryByTestId("pay-button")).not.toBeInTheDocument();
  });

  it("tells a stranger's or unknown checkout apart from a network error", async () => {
    mockFetch([{ path: "/api/auth/me", body: user }, { path: "/api/checkouts/c1", status: 404, body: { error: { code: "not_found", message: "No such checkout." } } }]);
    render();
    expect(await screen.findByText("Checkout not found")).toBeInTheDocument();
  });

  it("cancels the checkout's unpaid orders after asking, then goes back to the basket", async () => {
    const { calls } = mockFetch([
      { path: "/api/auth/me", body: user },
      { path: "/api/checkouts/c1", body: view() },
      { method: "PATCH", path: /^\/api\/orders\/o[12]\/status$/, body: { ...orders[0], status: "cancelled" } },
    ]);
    const { router } = render();
    await userEvent.click(await screen.findByTestId("cancel-checkout"));
    await userEvent.click(within(screen.getByRole("alertdialog")).getByRole("button", { name: "Cancel checkout" }));
    await waitFor(() => expect(router.state.location.pathname).toBe("/basket"));
    expect(calls.filter((call) => call.method === "PATCH").map((call) => call.url.pathname)).toEqual(["/api/orders/o1/status", "/api/orders/o2/status"]);
  });
});
