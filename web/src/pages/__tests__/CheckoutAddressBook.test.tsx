import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it } from "vitest";
import { sessionStore } from "@/lib/api";
import type { SavedAddress } from "@/lib/api/models";
import { basket } from "@/lib/basket";
import { makeOrder, makePayment, makeProduct, mockFetch, renderRoute, type MockRoute } from "@/test/utils";
import CheckoutPage from "../CheckoutPage";

const user = { id: "u1", email: "ann@x.test", full_name: "Ann Lee", role: "shopper" as const, is_active: true, created_at: "2025-01-01T00:00:00Z", phone: "+1 217 555 0100" };
const apples = makeProduct({ id: "apples", name: "Apples", stock: 10, seller_id: "s1", seller_name: "Farm" });

const saved = (overrides: Partial<SavedAddress>): SavedAddress => ({
  id: "a1",
  label: "Home",
  full_name: "Ann Lee",
  line1: "1 Main St",
  line2: null,
  city: "Springfield",
  region: "IL",
  postal_code: "62701",
  country: "US",
  phone: null,
  is_default: true,
  etag: '"a1"',
  formatted: ["Ann Lee", "1 Main St", "Springfield, IL 62701", "United States"],
  ...overrides,
});
const home = saved({});
const work = saved({
  id: "a2",
  label: "Work",
  line1: "10 Downing Street",
  city: "London",
  region: null,
  postal_code: "SW1A 2AA",
  country: "GB",
  phone: "+44 20 7946 0958",
  is_default: false,
  formatted: ["Ann Lee", "10 Downing Street", "London", "SW1A 2AA", "United Kingdom"],
});

const placed: MockRoute = {
  method: "POST",
  path: "/api/orders",
  status: 201,
  body: { checkout_id: "c1", orders: [makeOrder({ id: "o1", checkout_id: "c1", status: "pending_payment", payment_status: "unpaid" })], payment: makePayment({}) },
};
const base = (book: SavedAddress[]): MockRoute[] => [
  { path: "/api/auth/me", body: user },
  { path: "/api/products/apples", body: apples },
  { path: "/api/orders/my-orders", body: { items: [], next_cursor: null } },
  { path: "/api/sellers/s1/slots", status: 404, body: { error: { code: "no_such_seller", message: "No such seller." } } },
  { path: "/api/me/addresses", body: { items: book, max_items: 10 } },
  placed,
];
const payRoute = [{ path: "/checkout/pay/:checkoutId", element: <p>payment page</p> }];
const posted = (calls: ReturnType<typeof mockFetch>["calls"], path: string) => calls.filter((call) => call.method === "POST" && call.url.pathname === path);

describe("Checkout with the address book", { timeout: 40_000 }, () => {
  beforeEach(() => {
    localStorage.clear();
    sessionStore.set({ accessToken: "a", user });
    basket.clear();
    basket.add(apples, 1);
  });

  it("starts from the default address, formatted for its country, with the account's phone", async () => {
    const { calls } = mockFetch(base([home, work]));
    const { router } = renderRoute(<CheckoutPage />, { path: "/checkout", extraRoutes: payRoute });
    const choices = await screen.findAllByTestId("saved-address");
    expect(choices.map((choice) => within(choice).getByRole("radio").matches(":checked"))).toEqual([true, false]);
    expect(choices[0]).toHaveTextContent("HomeDefault");
    expect(choices[0]).toHaveTextContent("Ann Lee, 1 Main St, Springfield, IL 62701, United States");
    expect(choices[1]).toHaveTextContent("10 Downing Street, London, SW1A 2AA, United Kingdom");
    expect(screen.queryByLabelText("Address line 1")).not.toBeInTheDocument(); // nothing to type
    await userEvent.click(screen.getByTestId("place-order"));
    await waitFor(() => expect(router.state.location.pathname).toBe("/checkout/pay/c1"));
    expect(posted(calls, "/api/orders")[0].body).toMatchObject({
      shipping_address: { full_name: "Ann Lee", line1: "1 Main St", city: "Springfield", region: "IL", postal_code: "62701", country: "US", phone: "+1 217 555 0100" },
    });
    expect(posted(calls, "/api/me/addresses")).toHaveLength(0);
  });

  it("sends the other saved address once the shopper picks it", async () => {
    const { calls } = mockFetch(base([home, work]));
    const { router } = renderRoute(<CheckoutPage />, { path: "/checkout", extraRoutes: payRoute });
    const [, other] = await screen.findAllByTestId("saved-address");
    await userEvent.click(within(other).getByRole("radio"));
    await userEvent.click(screen.getByTestId("place-order"));
    await waitFor(() => expect(router.state.location.pathname).toBe("/checkout/pay/c1"));
    const shipping = (posted(calls, "/api/orders")[0].body as { shipping_address: Record<string, unknown> }).shipping_address;
    expect(shipping).toEqual({ full_name: "Ann Lee", line1: "10 Downing Street", city: "London", postal_code: "SW1A 2AA", country: "GB", phone: "+44 20 7946 0958" });
  });

  it("types a new address with the country's labels, and saves it to the book when ticked", async () => {
    const { calls } = mockFetch([...base([home]), { method: "POST", path: "/api/me/addresses", status: 201, body: work }]);
    const { router } = renderRoute(<CheckoutPage />, { path: "/checkout", extraRoutes: payRoute });
    await userEvent.click(within(await screen.findByTestId("new-address")).getByRole("radio"));
    expect(screen.getByLabelText("Phone (optional)")).toHaveValue("+1 217 555 0100"); // from signup
    await userEvent.selectOptions(screen.getByLabelText("Country"), "GB");
    expect(screen.getByLabelText("County (optional)")).toBeInTheDocument();
    await userEvent.type(screen.getByLabelText("Address line 1"), "10 Downing Street");
    await userEvent.type(screen.getByLabelText("Town or city"), "London");
    await userEvent.type(screen.getByLabelText("Postcode"), "12345");
    await userEvent.click(screen.getByTestId("place-order"));
    expect(screen.getByLabelText("Postcode")).toHaveAccessibleDescription("e.g. SW1A 1AA '12345' is not a United Kingdom postcode; it looks like SW1A 1AA.");
    expect(posted(calls, "/api/orders")).toHaveLength(0);

    await userEvent.clear(screen.getByLabelText("Postcode"));
    await userEvent.type(screen.getByLabelText("Postcode"), "sw1a2aa");
    await userEvent.click(screen.getByTestId("save-to-book"));
    await userEvent.click(screen.getByTestId("place-order"));
    await waitFor(() => expect(router.state.location.pathname).toBe("/checkout/pay/c1"));
    const expected = { full_name: "Ann Lee", line1: "10 Downing Street", city: "London", postal_code: "SW1A 2AA", country: "GB", phone: "+1 217 555 0100" };
    expect((posted(calls, "/api/orders")[0].body as { shipping_address: unknown }).shipping_address).toEqual(expected);
    expect(posted(calls, "/api/me/addresses")[0].body).toEqual({ ...expected, is_default: false });
  });

  it("still takes a typed address when the address book cannot be read", async () => {
    mockFetch([...base([]).filter((route) => route.path !== "/api/me/addresses"), { path: "/api/me/addresses", status: 503, body: { error: { code: "database_unavailable", message: "The database is unavailable; try again shortly." } } }]);
    renderRoute(<CheckoutPage />, { path: "/checkout", extraRoutes: payRoute });
    expect(await screen.findByTestId("address-book-unavailable")).toHaveTextContent("You can type the address below.");
    expect(screen.getByLabelText("Address line 1")).toBeInTheDocument();
    expect(screen.queryByTestId("saved-addresses")).not.toBeInTheDocument();
  });
});
