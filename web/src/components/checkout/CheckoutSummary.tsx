import { StatusBadge } from "@/components/OrderStatus";
import { Price } from "@/components/Price";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import type { Order } from "@/lib/api/models";
import { formatCents, toCents } from "@/lib/money";

/** The orders one payment covers (one per seller) and the amount of that payment. */
export function CheckoutSummary({ orders, amount, currency }: { orders: Order[]; amount: string; currency: string }) {
  const awaiting = orders.filter((order) => order.status === "pending_payment");
  const others = orders.filter((order) => order.status !== "pending_payment");
  // Cancelling one seller's order does not shrink the payment already set up: its share comes back.
  const refundedCents = others
    .filter((order) => order.status === "cancelled" && order.payment_status !== "paid")
    .reduce((sum, order) => sum + toCents(order.total), 0);
  return (
    <Card className="h-fit" data-testid="checkout-summary">
      <CardHeader>
        <CardTitle>{awaiting.length === 1 ? "1 order" : `${awaiting.length} orders`}</CardTitle>
      </CardHeader>
      <CardContent className="grid gap-4">
        {[...awaiting, ...others].map((order) => (
          <div key={order.id} className="grid gap-1 text-sm" data-testid="summary-order" data-order-id={order.id}>
            <div className="flex items-center justify-between gap-2">
              <p className="font-medium">From {order.seller_name || "seller"}</p>
              {order.status !== "pending_payment" && <StatusBadge status={order.status} />}
            </div>
            <ul className="grid gap-0.5 text-muted-foreground">
              {order.items.map((line) => (
                <li key={line.product_id} className="flex justify-between gap-2">
                  <span>
                    {line.quantity} × {line.name}
                  </span>
                  <Price amount={line.line_total} currency={order.currency} />
                </li>
              ))}
            </ul>
          </div>
        ))}
        <div className="flex justify-between border-t pt-3 font-semibold">
          <span>Total</span>
          <Price amount={amount} currency={currency} />
        </div>
        {refundedCents > 0 && (
          <p className="text-xs text-muted-foreground" data-testid="summary-refund-note">
            Includes {formatCents(refundedCents, currency)} for cancelled orders: it is refunded automatically as soon as the payment goes through.
          </p>
        )}
      </CardContent>
    </Card>
  );
}
