import { CheckCircle2, Clock } from "lucide-react";
import { useEffect, useState } from "react";
import { Link, useSearchParams } from "react-router";
import { StatusBadge } from "@/components/OrderStatus";
import { PageHeader } from "@/components/PageHeader";
import { Price } from "@/components/Price";
import { EmptyState, ErrorState } from "@/components/states";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardContent } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";
import { useQueries } from "@tanstack/react-query";
import { api } from "@/lib/api";
import { settlePaidCheckout } from "@/lib/checkouts";
import { keys } from "@/lib/queries";
import { plural } from "@/lib/counts";
import { itemCount, orderLabel } from "@/lib/orders";

/** How long to wait for the payment webhook before telling the user it is slow. */
const SLOW_AFTER_MS = 20_000;

export default function ConfirmationPage() {
  const [params] = useSearchParams();
  const ids = (params.get("orders") ?? "").split(",").filter(Boolean);
  const [slow, setSlow] = useState(false);

  // The payment is confirmed by a webhook, so the orders may still say pending for a moment: poll.
  const results = useQueries({
    queries: ids.map((id) => ({
      queryKey: keys.order(id),
      queryFn: ({ signal }: { signal: AbortSignal }) => api.getOrder(id, signal),
      refetchInterval: (query: { state: { data?: { status: string } } }) =>
        query.state.data?.status === "pending_payment" ? 1500 : false,
    })),
  });

  useEffect(() => {
    const timer = setTimeout(() => setSlow(true), SLOW_AFTER_MS);
    return () => clearTimeout(timer);
  }, []);

  // Returning from a redirect-based payment (Stripe 3-D Secure) lands here directly: once the
  // payment shows on the orders, take what the checkout bought out of the basket (once), as the
  // payment page does when it finishes itself.
  const checkoutId = params.get("checkout") ?? "";
  const redirectFailed = params.get("redirect_status") === "failed";
  const somePaid = results.some((result) => result.data?.payment_status === "authorized" || result.data?.payment_status === "captured");
  useEffect(() => {
    if (checkoutId && somePaid) settlePaidCheckout(checkoutId);
  }, [checkoutId, somePaid]);

  if (ids.length === 0) {
    return (
      <EmptyState title="No order to show" action={<Button asChild><Link to="/orders">My orders</Link></Button>}>
        Your orders are all listed under My orders.
      </EmptyState>
    );
  }

  const orders = results.map((result) => result.data).filter((order) => order !== undefined);
  const loading = results.some((result) => result.isPending);
  const failed = results.find((result) => result.isError);
  const pending = orders.some((order) => order.status === "pending_payment");
  const paymentFailed = orders.some((order) => order.status === "payment_failed");
  const allPaid = !loading && orders.length === ids.length && !pending && !paymentFailed;

  return (
    <div className="mx-auto grid max-w-2xl gap-6">
      <PageHeader title={allPaid ? "Thank you! Your order is confirmed" : paymentFailed || (pending && redirectFailed) ? "Payment failed" : "Confirming your payment…"} />
      {failed && <ErrorState error={failed.error} onRetry={() => failed.refetch()} />}
      {allPaid && (
        <Alert tone="success" title="Your card is authorised" data-testid="order-confirmed">
          {orders.length > 1
            ? `Your basket was split into ${orders.length} orders, one per seller. Each seller will pack and deliver theirs.`
            : "The seller will pack and deliver your order."}{" "}
          The amount is held on your card; you are charged only for what is packed, and the rest is released.
        </Alert>
      )}
      {pending && redirectFailed && checkoutId && (
        <Alert
          tone="error"
          title="The payment did not go through"
          data-testid="redirect-failed"
          action={<Button asChild><Link to={`/checkout/pay/${encodeURIComponent(checkoutId)}`}>Try another card</Link></Button>}
        >
          No money was taken. Your orders stay reserved for a while, so you can pay with another card.
        </Alert>
      )}
      {pending && !redirectFailed && (
        <Alert tone="info" title="Waiting for the payment confirmation">
          <span className="inline-flex items-center gap-2">
            <Clock className="size-4" aria-hidden="true" />
            {slow ? "This is taking longer than usual. Your orders will update as soon as the payment arrives." : "This usually takes a few seconds."}
          </span>
        </Alert>
      )}
      {paymentFailed && (
        <Alert tone="error" title="The payment did not go through">
          The checkout expired before a payment went through. No money was taken; your items were released.
        </Alert>
      )}
      <ul className="grid gap-3">
        {loading && orders.length === 0
          ? ids.map((id) => <Skeleton key={id} className="h-24" />)
          : orders.map((order) => (
              <li key={order.id}>
                <Card data-testid="confirmation-order">
                  <CardContent className="flex flex-wrap items-center justify-between gap-3 pt-5">
                    <div className="grid gap-1">
                      <p className="font-medium">
                        <span data-testid="order-number">{orderLabel(order)}</span> · {order.seller_name}
                      </p>
                      <p className="text-sm text-muted-foreground">
                        {plural(itemCount(order), "item")} · estimate <Price amount={order.estimated_total} currency={order.currency} /> ·
                        authorised <Price amount={order.authorized_amount} currency={order.currency} />
                      </p>
                    </div>
                    <div className="flex items-center gap-3">
                      <StatusBadge status={order.status} />
                      <Link to={`/orders/${order.id}`} className="text-sm font-medium text-primary hover:underline">
                        Track
                      </Link>
                    </div>
                  </CardContent>
                </Card>
              </li>
            ))}
      </ul>
      <div className="flex flex-wrap gap-3">
        <Button asChild>
          <Link to="/orders">
            <CheckCircle2 aria-hidden="true" /> View my orders
          </Link>
        </Button>
        <Button asChild variant="outline">
          <Link to="/products">Keep shopping</Link>
        </Button>
      </div>
    </div>
  );
}
