import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it } from "vitest";
import { sessionStore } from "@/lib/api";
import type { Order } from "@/lib/api/models";
import { makeLine, makeOrder, mockFetch, renderRoute } from "@/test/utils";
import OrderPage from "@/pages/OrderPage";

const seller = { id: "s1", email: "farm@x.test", full_name: "Farm", role: "seller" as const, is_active: true, created_at: "2025-01-01T00:00:00Z", phone: null };
const shopper = { ...seller, id: "u1", email: "ann@x.test", full_name: "Ann Lee", role: "shopper" as const };

const charged: Order = makeOrder({
  id: "o1",
  status: "packed",
  payment_status: "captured",
  total: "10.00",
  final_total: "10.00",
  items: [makeLine({ line_total: "10.00", packed_quantity: 1, final_total: "10.00" })],
  refundable: "10.00",
  payout: { gross: "10.00", commission: "1.00", commission_bps: 1000, net: "9.00", reversed: "0.00", status: "paid" },
});
const refunded: Order = {
  ...charged,
  payment_status: "partially_refunded",
  refunded: "3.50",
  refundable: "6.50",
  refunds: [{ number: 1, amount: "3.50", reason: "Two apples were bruised", at: "2025-03-02T10:00:00Z", status: "pending" }],
  payout: { ...charged.payout!, reversed: "3.15", status: "partially_reversed" },
};

async function openDialog() {
  await userEvent.click(await screen.findByTestId("refund-open"));
  return screen.findByRole("alertdialog", { name: "Refund this order" });
}

describe("Refund dialog", () => {
  beforeEach(() => sessionStore.set({ accessToken: "a", user: seller }));

  it("shows the payout, refunds part of the order with a fresh key, and shows the refund and the reduced payout", async () => {
    const { calls } = mockFetch([
      { path: "/api/auth/me", body: seller },
      { path: "/api/orders/o1", replies: [{ body: charged }, { body: refunded }] },
      { method: "POST", path: "/api/orders/o1/refunds", status: 201, body: refunded },
    ]);
    renderRoute(<OrderPage />, { path: "/orders/:id", url: "/orders/o1" });
    expect(await screen.findByTestId("payout-net")).toHaveTextContent("$9.00");
    expect(screen.getByTestId("payout-commission")).toHaveTextContent("$1.00");
    expect(screen.getByTestId("payout-status")).toHaveTextContent("Paid");

    const dialog = await openDialog();
    const amount = within(dialog).getByLabelText(/Amount/);
    expect(amount).toHaveValue("10.00");
    expect(within(dialog).getByTestId("refund-summary")).toHaveTextContent("The shopper gets $10.00 back; your payout is reduced by your share ($9.00).");
    await userEvent.clear(amount);
    await userEvent.type(amount, "3.50");
    expect(within(dialog).getByTestId("refund-summary")).toHaveTextContent("The shopper gets $3.50 back; your payout is reduced by your share ($3.15).");
    await userEvent.type(within(dialog).getByLabelText("Reason"), "Two apples were bruised");
    expect(within(dialog).getByTestId("refund-reason-count")).toHaveTextContent("23/300");
    await userEvent.click(within(dialog).getByTestId("refund-submit"));

    await waitFor(() => expect(screen.queryByRole("alertdialog")).not.toBeInTheDocument());
    const post = calls.find((call) => call.method === "POST")!;
    expect(post.body).toEqual({ amount: "3.50", reason: "Two apples were bruised" });
    expect(post.headers.get("Idempotency-Key")).toMatch(/^[0-9a-f-]{36}$/);
    const refund = await screen.findByTestId("refund");
    expect(refund).toHaveTextContent(/Refunded \$3\.50 on .*: Two apples were bruised/);
    expect(refund).toHaveTextContent("Pending");
    expect(screen.getByTestId("payout-reversed")).toHaveTextContent("$3.15");
    expect(screen.getByTestId("payout-status")).toHaveTextContent("Partly reversed");
    expect(screen.getByTestId("order-refunded")).toHaveTextContent("$3.50");
    expect(screen.getByTestId("order-refundable")).toHaveTextContent("Up to $6.50 can be refunded.");
  });

  it("checks the amount and the reason before sending anything", async () => {
    const { calls } = mockFetch([
      { path: "/api/auth/me", body: seller },
      { path: "/api/orders/o1", body: charged },
    ]);
    renderRoute(<OrderPage />, { path: "/orders/:id", url: "/orders/o1" });
    const dialog = await openDialog();
    const amount = within(dialog).getByLabelText(/Amount/);
    await userEvent.clear(amount);
    await userEvent.type(amount, "12");
    expect(within(dialog).getByTestId("field-error")).toHaveTextContent("You can refund at most $10.00 on this order.");
    expect(amount).toHaveAttribute("aria-invalid", "true");
    await userEvent.clear(amount);
    await userEvent.type(amount, "1.234");
    expect(within(dialog).getByTestId("field-error")).toHaveTextContent("at most two decimals");
    await userEvent.clear(amount);
    await userEvent.type(amount, "2");
    await userEvent.click(within(dialog).getByTestId("refund-submit"));
    expect(within(dialog).getByTestId("field-error")).toHaveTextContent("Say why you are refunding");
    expect(calls.some((call) => call.method === "POST")).toBe(false);
  });

  it("shows a 422 refund_too_large in the API's words and keeps the dialog open", async () => {
    mockFetch([
      { path: "/api/auth/me", body: seller },
      { path: "/api/orders/o1", body: charged },
      {
        method: "POST",
        path: "/api/orders/o1/refunds",
        status: 422,
        body: { error: { code: "refund_too_large", message: "You can refund between 0.01 and 4.00 on this order.", details: { refundable_cents: 400, requested_cents: 1000 } } },
      },
    ]);
    renderRoute(<OrderPage />, { path: "/orders/:id", url: "/orders/o1" });
    const dialog = await openDialog();
    await userEvent.type(within(dialog).getByLabelText("Reason"), "Wrong item");
    await userEvent.click(within(dialog).getByTestId("refund-submit"));
    expect(await within(dialog).findByTestId("refund-error")).toHaveTextContent("You can refund between 0.01 and 4.00 on this order.");
    expect(within(dialog).getByTestId("refund-submit")).toBeEnabled();
  });

  it("shows a 409 not_refundable in the API's words", async () => {
    mockFetch([
      { path: "/api/auth/me", body: seller },
      { path: "/api/orders/o1", body: charged },
      { method: "POST", path: "/api/orders/o1/refunds", status: 409, body: { error: { code: "not_refundable", message: "This order has been refunded in full already." } } },
    ]);
    renderRoute(<OrderPage />, { path: "/orders/:id", url: "/orders/o1" });
    const dialog = await openDialog();
    await userEvent.type(within(dialog).getByLabelText("Reason"), "Wrong item");
    await userEvent.click(within(dialog).getByTestId("refund-submit"));
    expect(await within(dialog).findByRole("alert")).toHaveTextContent("This order has been refunded in full already.");
  });

  it("offers no refund when nothing is refundable, and shows shoppers their refunds without the payout", async () => {
    sessionStore.set({ accessToken: "a", user: shopper });
    mockFetch([
      { path: "/api/auth/me", body: shopper },
      { path: "/api/orders/o1", body: { ...refunded, refundable: null, payout: null } },
    ]);
    renderRoute(<OrderPage />, { path: "/orders/:id", url: "/orders/o1" });
    expect(await screen.findByTestId("refund")).toHaveTextContent(/Refunded \$3\.50 on .*: Two apples were bruised/);
    expect(screen.queryByTestId("refund-open")).not.toBeInTheDocument();
    expect(screen.queryByTestId("order-payout")).not.toBeInTheDocument();
    expect(screen.getByTestId("payment-status")).toHaveTextContent("Partly refunded");
  });
});
