import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it } from "vitest";
import { sessionStore } from "@/lib/api";
import type { Order } from "@/lib/api/models";
import { planPacking, initialDrafts } from "@/lib/packing";
import { makeLine, makeOrder, makeProduct, mockFetch, renderRoute } from "@/test/utils";
import SellerPackPage from "../seller/SellerPackPage";

const seller = { id: "s1", email: "farm@x.test", full_name: "Farm", role: "seller" as const, is_active: true, created_at: "2025-01-01T00:00:00Z", phone: null };

// 750 g of apples at $3.20/kg (est. $2.40, held $2.64) and 4 pears at $0.50 ($2.00), substitutes allowed on the pears.
const order: Order = makeOrder({
  id: "order-1",
  seller_id: "s1",
  items: [
    makeLine({ line_id: "L1", product_id: "apples", name: "Loose apples", sold_by: "weight", unit: "kg", unit_price: "3.20", quantity: null, weight_g: 750, line_total: "2.40" }),
    makeLine({ line_id: "L2", product_id: "pears", name: "Pears", unit: "each", unit_price: "0.50", quantity: 4, substitution: "similar", line_total: "2.00" }),
  ],
  total: "4.40",
  estimated_total: "4.40",
  authorized_amount: "4.64",
  allowed_transitions: ["packed", "cancelled"],
});
const quinces = makeProduct({ id: "quinces", name: "Quinces", price: "0.60", unit: "each", stock: 10, seller_id: "s1", unit_price: { amount: "0.60", basis: "item", label: "$0.60/item" } });
const figs = makeProduct({ id: "figs", name: "Figs", price: "0.40", unit: "each", stock: 10, seller_id: "s1", unit_price: { amount: "0.40", basis: "item", label: "$0.40/item" } });
const nuts = makeProduct({ id: "nuts", name: "Nuts", price: "14.00", sold_by: "weight", min_weight_g: 100, step_g: 50, stock: 5000, seller_id: "s1" });

const routes = (extra: Parameters<typeof mockFetch>[0] = []) => [
  { path: "/api/auth/me", body: seller },
  { path: "/api/orders/order-1", body: order },
  { path: "/api/products", body: { items: [quinces, figs, nuts, makeProduct({ id: "pears", seller_id: "s1" })], next_cursor: null } },
  ...extra,
];
const render = () =>
  renderRoute(<SellerPackPage />, {
    path: "/seller/orders/:id/pack",
    url: "/seller/orders/order-1/pack",
    extraRoutes: [{ path: "/seller/orders", element: <p>orders list</p> }],
  });
const lineCard = (lineId: string) => document.querySelector<HTMLElement>(`[data-testid="pack-line"][data-line-id="${lineId}"]`)!;
const setValue = (element: HTMLElement, value: string) => fireEvent.change(element, { target: { value } });

describe("planPacking", () => {
  it("prices what is packed in integer cents and substitutes at no more than the original's price", () => {
    const drafts = initialDrafts(order);
    expect(planPacking(order, drafts, []).totalCents).toBe(440);
    drafts.L1 = { ...drafts.L1, packed: "780" }; // 2.496 -> 2.50
    drafts.L2 = { packed: "3", substituteId: "quinces", substituteAmount: "1" }; // 1.50 + 1 x min(0.60, 0.50)
    const plan = planPacking(order, drafts, [quinces]);
    expect(plan.lines.map((line) => line.cents)).toEqual([250, 200]);
    expect(plan.lines[1].substitute?.chargedCents).toBe(50);
    expect(plan).toMatchObject({ totalCents: 450, authorisedCents: 464, overBy: 0, valid: true });
  });

  it("refuses more than the authorisation, and substitutes beyond what is missing", () => {
    const drafts = initialDrafts(order);
    drafts.L1 = { ...drafts.L1, packed: "1500" }; // 4.80
    expect(planPacking(order, drafts, []).overBy).toBe(480 + 200 - 464);
    drafts.L1 = { ...drafts.L1, packed: "750" };
    drafts.L2 = { packed: "3", substituteId: "figs", substituteAmount: "2" };
    const plan = planPacking(order, drafts, [figs]);
    expect(plan.valid).toBe(false);
    expect(plan.lines[1].error).toBe("Give the substitute's count from 1 to 1: it replaces only what is missing.");
  });
});

describe("SellerPackPage", { timeout: 20_000 }, () => {
  beforeEach(() => sessionStore.set({ accessToken: "a", user: seller }));

  it("shows each line's ordered amount and keeps a running total against what the shopper authorised", async () => {
    mockFetch(routes());
    render();
    expect(await screen.findByRole("heading", { name: /Pack order/ })).toBeInTheDocument();
    expect(within(lineCard("L1")).getByTestId("pack-ordered")).toHaveTextContent("750 g");
    expect(within(lineCard("L2")).getByTestId("pack-ordered")).toHaveTextContent("4");
    expect(screen.getByTestId("pack-running-total")).toHaveTextContent("$4.40");
    expect(screen.getByTestId("pack-authorised")).toHaveTextContent("$4.64");
    // Everything packed: no substitute to pick.
    expect(within(lineCard("L2")).queryByTestId("substitute-picker")).not.toBeInTheDocument();

    setValue(within(lineCard("L1")).getByLabelText("Packed weight (g)"), "780");
    expect(within(lineCard("L1")).getByTestId("packed-kg")).toHaveTextContent("= 780 g (+30 g on the order)");
    expect(within(lineCard("L1")).getByTestId("pack-line-total")).toHaveTextContent("$2.50");
    expect(screen.getByTestId("pack-running-total")).toHaveTextContent("$4.50");
  });

  it("turns the total into an error and disables submitting when it is above the authorisation", async () => {
    const { calls } = mockFetch(routes());
    render();
    const weight = await screen.findByLabelText("Packed weight (g)");
    setValue(weight, "1500");
    const over = screen.getByTestId("pack-over");
    expect(over).toHaveTextContent("$6.80 is above the $4.64 the shopper authorised.");
    expect(screen.getByTestId("submit-packing")).toBeDisabled();
    expect(calls.some((call) => call.method === "POST")).toBe(false);
    setValue(weight, "800");
    expect(screen.queryByTestId("pack-over")).not.toBeInTheDocument();
    expect(screen.getByTestId("submit-packing")).toBeEnabled();
  });

  it("offers the seller's own products sold the same way as substitutes, and sends the packing list", async () => {
    const { calls } = mockFetch(routes([{ method: "POST", path: "/api/orders/order-1/pack", body: { ...order, status: "packed", final_total: "4.50", released: "0.14" } }]));
    const { router } = render();
    await screen.findAllByTestId("pack-line");
    const pears = lineCard("L2");
    await userEvent.click(within(pears).getByRole("button", { name: "Pears is unavailable" }));
    const picker = await within(pears).findByTestId("substitute-picker");
    expect(picker).toHaveTextContent("Substitute for the missing 4");
    const select = await within(picker).findByTestId("substitute-select");
    // Same seller, sold by the item, not the pears themselves; the weighed nuts are not offered.
    expect(within(select).getAllByRole("option").map((option) => option.textContent)).toEqual([
      "No substitute",
      "Quinces · $0.60/item (10 in stock)",
      "Figs · $0.40/item (10 in stock)",
    ]);
    setValue(within(pears).getByLabelText("Packed count"), "3");
    await userEvent.selectOptions(select, "quinces");
    const amount = within(pears).getByTestId("substitute-amount");
    expect(amount).toHaveValue("1");
    expect(within(pears).getByTestId("substitute-charge")).toHaveTextContent("Charged at $0.50 each (never more than the original): $0.50");
    setValue(within(lineCard("L1")).getByLabelText("Packed weight (g)"), "780");
    expect(screen.getByTestId("pack-running-total")).toHaveTextContent("$4.50");

    await userEvent.click(screen.getByTestId("submit-packing"));
    await waitFor(() => expect(router.state.location.pathname).toBe("/seller/orders"));
    const post = calls.find((call) => call.method === "POST")!;
    expect(post.body).toEqual({
      lines: [
        { line_id: "L1", packed_weight_g: 780 },
        { line_id: "L2", packed_quantity: 3, substitute: { product_id: "quinces", quantity: 1 } },
      ],
    });
    expect(router.state.location.state).toMatchObject({ packed: { id: "order-1", finalTotal: "4.50", released: "0.14" } });
  });

  it("shows the API's 422 messages next to their lines, and a 409 as a banner", async () => {
    mockFetch(
      routes([
        {
          method: "POST",
          path: "/api/orders/order-1/pack",
          replies: [
            {
              status: 422,
              body: { error: { code: "invalid_packing", message: "The packing list does not fit this order.", details: [{ line_id: "L2", message: "A substitute must be one of your own products that is on sale." }] } },
            },
            { status: 409, body: { error: { code: "out_of_stock", message: "Quinces ran out: choose another substitute.", details: null } } },
          ],
        },
      ]),
    );
    render();
    await screen.findByTestId("submit-packing");
    await userEvent.click(screen.getByTestId("submit-packing"));
    const message = await within(lineCard("L2")).findByTestId("pack-line-error");
    expect(message).toHaveTextContent("A substitute must be one of your own products that is on sale.");
    expect(within(lineCard("L1")).queryByTestId("pack-line-error")).not.toBeInTheDocument();
    expect(within(lineCard("L2")).getByLabelText("Packed count")).toHaveAttribute("aria-invalid", "true");
    expect(screen.getByTestId("pack-error")).toHaveTextContent("Some lines need attention");

    await userEvent.click(screen.getByTestId("submit-packing"));
    expect(await screen.findByText("A substitute is out of stock")).toBeInTheDocument();
    expect(screen.getByTestId("pack-error")).toHaveTextContent("Quinces ran out: choose another substitute.");
  });

  it("explains that only confirmed orders are packed", async () => {
    mockFetch([{ path: "/api/auth/me", body: seller }, { path: "/api/orders/order-1", body: { ...order, status: "packed" } }]);
    render();
    expect(await screen.findByTestId("not-packable")).toHaveTextContent("This order is packed: only confirmed orders are packed.");
  });
});
