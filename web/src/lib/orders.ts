import type { Order, OrderStatus } from "./api/models";

export const STATUS_LABEL: Record<OrderStatus, string> = {
  pending_payment: "Awaiting payment",
  paid: "Paid",
  packed: "Packed",
  out_for_delivery: "Out for delivery",
  delivered: "Delivered",
  cancelled: "Cancelled",
  payment_failed: "Payment failed",
};

export const STATUS_TONE: Record<OrderStatus, "neutral" | "green" | "blue" | "amber" | "red" | "violet"> = {
  pending_payment: "amber",
  paid: "blue",
  packed: "violet",
  out_for_delivery: "violet",
  delivered: "green",
  cancelled: "neutral",
  payment_failed: "red",
};

/** The happy path, in order; the timeline draws these steps. */
export const FULFILMENT_STEPS: OrderStatus[] = ["pending_payment", "paid", "packed", "out_for_delivery", "delivered"];

export interface StatusAction {
  status: OrderStatus;
  label: string;
  destructive?: boolean;
}

const ACTION_LABEL: Partial<Record<OrderStatus, string>> = {
  packed: "Mark packed",
  out_for_delivery: "Mark out for delivery",
  delivered: "Mark delivered",
  cancelled: "Cancel order",
};

/**
 * The buttons for the moves the server says this caller may make (`allowed_transitions`): who may
 * do what is the server's rule alone, the SPA only labels it. Fulfilment first, cancelling last.
 */
export function orderActions(order: Pick<Order, "allowed_transitions">): StatusAction[] {
  const allowed = order.allowed_transitions ?? [];
  const forward = allowed
    .filter((status) => status !== "cancelled")
    .map((status) => ({ status, label: ACTION_LABEL[status] ?? `Mark ${STATUS_LABEL[status].toLowerCase()}` }));
  const cancel: StatusAction[] = allowed.includes("cancelled") ? [{ status: "cancelled", label: ACTION_LABEL.cancelled!, destructive: true }] : [];
  return [...forward, ...cancel];
}

export function itemCount(order: Order): number {
  return order.items.reduce((sum, line) => sum + line.quantity, 0);
}
