import { StatusBadge } from "@/components/OrderStatus";
import { Price } from "@/components/Price";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import type { Order } from "@/lib/api/models";
import { holdExplanation } from "@/lib/checkouts";
import { describeOrderWindow } from "@/lib/fulfilment";
import { formatCents, toCents } from "@/lib/money";
import { formatAmount, orderedAmount } from "@/lib/orders";
import { plural } from "@/lib/counts";

/**
 * The orders one payment covers (one per seller): each line's estimate, the estimated total, the
 * amount the card is authorised for (held) and why, in one line.
 */
export function CheckoutSummary({
  orders,
  authorised,
  estimated,
  currency,
}: {
  orders: Order[];
  /** What the card is authorised for (the payment's amount). */
  authorised: string;
  estimated: string;
  currency: string;
}) {
  const awaiting = orders.filter((order) => order.status === "pending_payment");
  const others = orders.filter((order) => order.status !== "pending_payment");
  const weighed = orders.some((order) => order.items.some((line) => line.sold_by === "weight"));
  // Cancelling one seller's order does not shrink the authorisation already set up: its share is released.
  const releasedCents = others
    .filter((order) => order.status === "cancelled" && order.payment_status === "unpaid")
    .reduce((sum, order) => sum + toCents(order.authorized_amount), 0);
  const authorisedCents = toCents(authorised);
  const estimatedCents = toCents(estimated);
  return (
    <Card className="h-fit" data-testid="checkout-summary">
      <CardHeader>
        <CardTitle>{plural(awaiting.length, "order")}</CardTitle>
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
                <li key={line.line_id || line.product_id} className="flex justify-between gap-2">
                  <span>
                    {line.sold_by === "weight" ? `${formatAmount("weight", orderedAmount(line))} ` : `${line.quantity} × `}
                    {line.name}
                    {line.substitution === "similar" && <span className="sr-only"> (substitutes allowed)</span>}
                  </span>
                  <span className="whitespace-nowrap">
                    {line.sold_by === "weight" && <span className="text-xs">est. </span>}
                    <Price amount={line.line_total} currency={order.currency} />
                  </span>
                </li>
              ))}
              {order.delivery_fee !== "0.00" && (
                <li className="flex justify-between gap-2" data-testid="summary-delivery-fee">
                  <span>Delivery fee</span>
                  <Price amount={order.delivery_fee} currency={order.currency} />
                </li>
              )}
            </ul>
            {order.fulfilment && (
              <p className="text-xs text-muted-foreground" data-testid="summary-window">
                {describeOrderWindow(order.fulfilment)}
              </p>
            )}
          </div>
        ))}
        <dl className="grid gap-1 border-t pt-3 text-sm">
          <div className="flex justify-between">
            <dt>Estimated total</dt>
            <dd data-testid="summary-estimate">{formatCents(estimatedCents, currency)}</dd>
          </div>
          <div className="flex justify-between font-semibold">
            <dt>Authorised on your card</dt>
            <dd data-testid="summary-authorised">{formatCents(authorisedCents, currency)}</dd>
          </div>
        </dl>
        <p className="text-xs text-muted-foreground" data-testid="hold-explanation">
          {holdExplanation(authorisedCents, estimatedCents, currency, weighed)}
        </p>
        {releasedCents > 0 && (
          <p className="text-xs text-muted-foreground" data-testid="summary-refund-note">
            Includes {formatCents(releasedCents, currency)} for cancelled orders: that part of the hold is released as soon as your card is authorised.
          </p>
        )}
      </CardContent>
    </Card>
  );
}
