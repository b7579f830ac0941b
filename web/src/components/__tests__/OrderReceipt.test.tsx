import { render, screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { describeLine } from "@/lib/orders";
import { makeLine, makeOrder } from "@/test/utils";
import { OrderLines, OrderTotals } from "../OrderReceipt";

const apples = makeLine({ line_id: "L1", name: "Loose apples", sold_by: "weight", unit: "kg", unit_price: "3.20", quantity: null, weight_g: 750, line_total: "2.40" });
const pears = makeLine({ line_id: "L2", name: "Pears", unit: "each", unit_price: "0.50", quantity: 4, substitution: "similar", line_total: "2.00" });
const packedApples = { ...apples, packed_weight_g: 780, final_total: "2.50" };
const packedPears = {
  ...pears,
  packed_quantity: 3,
  final_total: "2.00",
  substitute: { product_id: "q", name: "Quinces", unit: "each", unit_price: "0.50", quantity: 1, weight_g: null, line_total: "0.50" },
};

describe("describeLine", () => {
  it("says what was ordered, then what was packed and substituted", () => {
    expect(describeLine(apples)).toBe("Ordered 750 g");
    expect(describeLine(packedApples)).toBe("Ordered 750 g · Packed 780 g");
    expect(describeLine(packedPears)).toBe("Ordered 4 · Packed 3 + 1 × Quinces (substitute)");
    expect(describeLine({ ...pears, packed_quantity: 0, final_total: "0.00" })).toBe("Ordered 4 · Unavailable");
    expect(describeLine({ ...packedPears, packed_quantity: 0, substitute: { ...packedPears.substitute, quantity: 4 } })).toBe(
      "Ordered 4 · Replaced by 4 × Quinces (substitute)",
    );
    expect(
      describeLine({ ...packedApples, packed_weight_g: 500, substitute: { product_id: "b", name: "Braeburn", unit: "kg", unit_price: "3.00", quantity: null, weight_g: 250, line_total: "0.75" } }),
    ).toBe("Ordered 750 g · Packed 500 g + 250 g Braeburn (substitute)");
  });
});

describe("OrderLines and OrderTotals", () => {
  it("before packing: estimates, the hold, and the weighed note", () => {
    const order = makeOrder({ items: [apples, pears], total: "4.40", estimated_total: "4.40", authorized_amount: "4.64" });
    render(
      <>
        <OrderLines order={order} />
        <OrderTotals order={order} />
      </>,
    );
    const [first, second] = screen.getAllByTestId("order-line");
    expect(first).toHaveTextContent("$3.20/kg");
    expect(first).toHaveTextContent("Ordered 750 g");
    expect(first).toHaveTextContent("Final price follows the packed weight.");
    expect(within(first).getByTestId("line-amount")).toHaveTextContent("est. $2.40");
    expect(second).toHaveTextContent("$0.50 each");
    expect(second).toHaveTextContent("Substitutes allowed");
    expect(screen.getByTestId("order-estimate")).toHaveTextContent("$4.40");
    expect(screen.getByTestId("order-authorised")).toHaveTextContent("$4.64");
    expect(screen.queryByTestId("order-final")).not.toBeInTheDocument();
    expect(screen.getByTestId("payment-status")).toHaveTextContent("Payment:Authorised");
  });

  it("once packed: ordered vs packed vs substituted per line, the final charge and what was released", () => {
    const order = makeOrder({
      status: "packed",
      payment_status: "captured",
      items: [packedApples, packedPears],
      total: "4.50",
      estimated_total: "4.40",
      authorized_amount: "4.64",
      final_total: "4.50",
      released: "0.14",
    });
    render(
      <>
        <OrderLines order={order} />
        <OrderTotals order={order} />
      </>,
    );
    const [first, second] = screen.getAllByTestId("order-line");
    expect(within(first).getByTestId("line-description")).toHaveTextContent("Ordered 750 g · Packed 780 g");
    expect(within(first).getByTestId("line-final")).toHaveTextContent("$2.50");
    expect(within(first).getByLabelText("Estimate $2.40")).toBeInTheDocument();
    expect(first).not.toHaveTextContent("Final price follows");
    expect(within(second).getByTestId("line-description")).toHaveTextContent("Ordered 4 · Packed 3 + 1 × Quinces (substitute)");
    expect(within(second).getByTestId("line-substitute")).toHaveTextContent("Quinces charged at $0.50 each: $0.50");
    expect(within(second).getByTestId("line-final")).toHaveTextContent("$2.00");
    expect(screen.getByTestId("order-final")).toHaveTextContent("$4.50");
    expect(screen.getByTestId("order-released")).toHaveTextContent("$0.14 released from the hold");
    expect(screen.getByTestId("payment-status")).toHaveTextContent("Charged");
  });
});
