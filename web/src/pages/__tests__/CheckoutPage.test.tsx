import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it } from "vitest";
import { sessionStore } from "@/lib/api";
import type { Order } from "@/lib/api/types";
import { basket } from "@/lib/basket";
import { makeProduct, mockFetch, renderRoute } from "@/test/utils";
import CheckoutPage from "../CheckoutPage";

const user = { id: "u1", email: "ann@x.test", full_name: "Ann Lee", role: "shopper" as const, is_active: true, created_at: "2025-01-01T00:00:00Z" };
const apples = makeProduct({ id: "apples", name: "Apples", stock: 10, seller_id: "s1", seller_name: "Farm" });
const bread = makeProduct({ id: "bread", name: "Bread", price: "4.00", stock: 10, seller_id: "s2", seller_name: "Bakery" });

async function fillAddress() {
  await userEvent.type(screen.getByLabelText("Address line 1"), "1 Main St");
  await userEvent.type(screen.getByLabelText("City"), "Springfield");
  await userEvent.type(screen.getByLabelText("Postal code"), "12345");
  await userEvent.type(screen.getByLabelText("Country code"), "us");
}

const order = (id: string, sellerName: string): Order => ({
  id,
  checkout_id: "c1",
  user_id: "u1",
  seller_id: id,
  seller_name: sellerName,
  items: [],
  total: "1.00",
  currency: "usd",
  status: "pending_payment",
  payment_status: "unpaid",
  shipping_address: { full_name: "Ann Lee", line1: "1 Main St", city: "Springfield", postal_code: "12345", country: "US" },
  status_history: [],
  created_at: "2025-01-01T00:00:00Z",
  updated_at: "2025-01-01T00:00:00Z",
  allowed_transitions: [],
});

describe("CheckoutPage", () => {
  beforeEach(() => {
    sessionStore.set({ accessToken: "a", refreshToken: "r", user });
    basket.clear();
    basket.add(apples, 2);
    basket.add(bread, 1);
  });

  it("validates the address locally before calling the API", async () => {
    const { calls } = mockFetch([
      { path: "/api/auth/me", body: user },
      { path: /^\/api\/products\/(apples|bread)$/, body: apples },
    ]);
    renderRoute(<CheckoutPage />, { path: "/checkout" });
    await userEvent.click(await screen.findByTestId("place-order"));
    expect(screen.getByLabelText("City")).toHaveAccessibleDescription("Enter the city.");
    expect(screen.getByLabelText("Country code")).toHaveAttribute("aria-invalid", "true");
    expect(calls.some((call) => call.method === "POST")).toBe(false);
  });

  it("shows the server's out-of-stock conflict on the affected line", async () => {
    mockFetch([
      { path: "/api/auth/me", body: user },
      { path: "/api/products/apples", body: apples },
      { path: "/api/products/bread", body: bread },
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

  it("places the order with an idempotency key, then takes a test-card payment", async () => {
    const { calls } = mockFetch([
      { path: "/api/auth/me", body: user },
      { path: "/api/products/apples", body: apples },
      { path: "/api/products/bread", body: bread },
      {
        method: "POST",
        path: "/api/orders",
        status: 201,
        body: { checkout_id: "c1", orders: [order("o1", "Farm"), order("o2", "Bakery")], payment: { provider: "local", client_secret: "cs_1", amount: "10.98", currency: "usd" } },
      },
      { method: "POST", path: "/local/payments/confirm", body: { status: "succeeded" } },
    ]);
    const { router } = renderRoute(<CheckoutPage />, { path: "/checkout" });
    await screen.findByTestId("place-order");
    await fillAddress();
    await userEvent.click(screen.getByTestId("place-order"));

    expect(await screen.findByTestId("local-card-form")).toBeInTheDocument();
    const post = calls.find((call) => call.method === "POST" && call.url.pathname === "/api/orders")!;
    expect(post.headers.get("Idempotency-Key")).toMatch(/^[0-9a-f-]{36}$/);
    expect(post.body).toEqual({
      items: [
        { product_id: "apples", quantity: 2 },
        { product_id: "bread", quantity: 1 },
      ],
      shipping_address: { full_name: "Ann Lee", line1: "1 Main St", city: "Springfield", postal_code: "12345", country: "US" },
    });
    expect(screen.getByText("From Farm")).toBeInTheDocument();
    expect(screen.getByText("From Bakery")).toBeInTheDocument();

    await userEvent.click(screen.getByTestId("pay-button"));
    await waitFor(() => expect(router.state.location.pathname).toBe("/checkout/complete"));
    expect(router.state.location.search).toBe("?orders=o1,o2");
    const confirm = calls.find((call) => call.url.pathname === "/local/payments/confirm")!;
    expect(confirm.body).toEqual({ client_secret: "cs_1", card_number: "4242424242424242" });
    expect(basket.get()).toEqual([]);
  });

  it("keeps the user on the payment step when the card is declined", async () => {
    mockFetch([
      { path: "/api/auth/me", body: user },
      { path: "/api/products/apples", body: apples },
      { path: "/api/products/bread", body: bread },
      {
        method: "POST",
        path: "/api/orders",
        status: 201,
        body: { checkout_id: "c1", orders: [order("o1", "Farm")], payment: { provider: "local", client_secret: "cs_1", amount: "10.98", currency: "usd" } },
      },
      { method: "POST", path: "/local/payments/confirm", body: { status: "failed" } },
      { path: "/api/orders/o1", body: order("o1", "Farm") },
    ]);
    renderRoute(<CheckoutPage />, { path: "/checkout" });
    await screen.findByTestId("place-order");
    await fillAddress();
    await userEvent.click(screen.getByTestId("place-order"));
    const card = await screen.findByTestId("card-number");
    await userEvent.clear(card);
    await userEvent.type(card, "4000 0000 0000 0002");
    await userEvent.click(screen.getByTestId("pay-button"));
    expect(await screen.findByTestId("payment-error")).toHaveTextContent("declined");
    expect(basket.get()).toHaveLength(2);
  });
});
