import { render, screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { Order } from "@/lib/api/models";
import { makeOrder } from "@/test/utils";
import { OrderTimeline, StatusBadge } from "../OrderStatus";

const order = (overrides: Partial<Order>): Order => makeOrder({ items: [], total: "1.00", created_at: "2025-03-01T10:00:00Z", ...overrides });

describe("OrderTimeline", () => {
  it("marks the current step and shows when each past step happened", () => {
    render(
      <OrderTimeline
        order={order({
          status: "out_for_delivery",
          status_history: [
            { status: "pending_payment", at: "2025-03-01T10:00:00Z", by: "u" },
            { status: "confirmed", at: "2025-03-01T10:01:00Z", by: "system" },
            { status: "packed", at: "2025-03-01T12:00:00Z", by: "s" },
            { status: "out_for_delivery", at: "2025-03-02T08:00:00Z", by: "s" },
          ],
        })}
      />,
    );
    const steps = within(screen.getByRole("list", { name: "Order progress" })).getAllByRole("listitem");
    expect(steps).toHaveLength(5);
    expect(steps[3]).toHaveAttribute("aria-current", "step");
    expect(steps[3]).toHaveTextContent("Out for delivery");
    expect(steps[4]).toHaveTextContent("Delivered");
    expect(steps[4]).not.toHaveAttribute("aria-current");
  });

  it("ends a cancelled order with the cancellation", () => {
    render(
      <OrderTimeline
        order={order({
          status: "cancelled",
          status_history: [
            { status: "pending_payment", at: "2025-03-01T10:00:00Z", by: "u" },
            { status: "confirmed", at: "2025-03-01T10:01:00Z", by: "system" },
            { status: "cancelled", at: "2025-03-01T11:00:00Z", by: "u" },
          ],
        })}
      />,
    );
    const steps = screen.getAllByRole("listitem");
    expect(steps.map((step) => step.querySelector(".font-medium")?.textContent)).toEqual([
      "Awaiting payment",
      "Confirmed",
      "Cancelled",
    ]);
    expect(steps[2]).toHaveAttribute("aria-current", "step");
  });

  it("labels statuses for people", () => {
    render(<StatusBadge status="out_for_delivery" />);
    expect(screen.getByText("Out for delivery")).toHaveAttribute("data-status", "out_for_delivery");
  });
});
