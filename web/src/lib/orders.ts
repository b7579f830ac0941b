import type { Order, OrderStatus, User } from "./api/types";

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

const SELLER_NEXT: Partial<Record<OrderStatus, OrderStatus>> = {
  paid: "packed",
  packed: "out_for_delivery",
  out_for_delivery: "delivered",
};

const CANCELLABLE_BEFORE_PACKING: OrderStatus[] = ["pending_payment", "paid"];
const FINAL: OrderStatus[] = ["delivered", "cancelled", "payment_failed"];

export interface StatusAction {
  status: OrderStatus;
  label: string;
  destructive?: boolean;
}

/**
 * The moves this user may make on this order, mirroring the server's rules (DESIGN §4): the
 * buyer or the seller may cancel before packing, the seller advances fulfilment, an admin may
 * cancel any time before delivery. The server still decides; this only hides dead buttons.
 */
export function availableActions(order: Order, user: User | null): StatusAction[] {
  if (!user) return [];
  const actions: StatusAction[] = [];
  const isSeller = user.role === "seller" && order.seller_id === user.id;
  const isBuyer = order.user_id === user.id;
  const isAdmin = user.role === "admin";

  const next = SELLER_NEXT[order.status];
  if (isSeller && next) actions.push({ status: next, label: ACTION_LABEL[next] ?? STATUS_LABEL[next] });

  const canCancel =
    ((isSeller || isBuyer) && CANCELLABLE_BEFORE_PACKING.includes(order.status)) ||
    (isAdmin && !FINAL.includes(order.status));
  if (canCancel) actions.push({ status: "cancelled", label: "Cancel order", destructive: true });
  return actions;
}

const ACTION_LABEL: Partial<Record<OrderStatus, string>> = {
  packed: "Mark packed",
  out_for_delivery: "Mark out for delivery",
  delivered: "Mark delivered",
};

export function itemCount(order: Order): number {
  return order.items.reduce((sum, line) => sum + line.quantity, 0);
}
