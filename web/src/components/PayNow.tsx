import { CreditCard } from "lucide-react";
import { Link } from "react-router";
import { useQueryClient } from "@tanstack/react-query";
import { errorMessage } from "@/lib/api/errors";
import { isAuthorised, isPayable } from "@/lib/checkouts";
import { formatMoney } from "@/lib/money";
import { keys, useCheckout } from "@/lib/queries";
import { cn } from "@/lib/utils";
import { TimeLeft } from "./TimeLeft";
import { Button } from "./ui/button";

/**
 * "Pay now" for a checkout awaiting payment: the amount, the time left before it expires and the
 * last decline, read from GET /api/checkouts/{id}; the button resumes that same payment.
 */
export function PayNow({ checkoutId, orderCount, className }: { checkoutId: string; orderCount?: number; className?: string }) {
  const queryClient = useQueryClient();
  const checkout = useCheckout(checkoutId);
  const refresh = () => {
    queryClient.invalidateQueries({ queryKey: keys.checkout(checkoutId) });
    queryClient.invalidateQueries({ queryKey: keys.myOrders });
  };

  if (checkout.isPending) {
    return (
      <div className={cn("flex flex-wrap items-center gap-3", className)} data-testid="pay-now-panel" aria-busy="true">
        <Button size="sm" loading disabled>
          Pay now
        </Button>
        <span className="text-sm text-muted-foreground">Checking the payment…</span>
      </div>
    );
  }
  if (checkout.isError) {
    return (
      <div className={cn("flex flex-wrap items-center gap-3 text-sm", className)} data-testid="pay-now-panel" role="alert">
        <span className="text-destructive">The payment could not be loaded: {errorMessage(checkout.error)}</span>
        <Button size="sm" variant="outline" onClick={() => checkout.refetch()}>
          Try again
        </Button>
      </div>
    );
  }
  const data = checkout.data;
  if (!isPayable(data)) {
    if (isAuthorised(data)) return null;
    return (
      <p className={cn("text-sm text-muted-foreground", className)} data-testid="pay-now-expired">
        The time to pay has run out. Nothing was charged and the items were released.
      </p>
    );
  }
  const amount = formatMoney(data.payment.amount, data.payment.currency);
  const orders = orderCount ?? data.orders.filter((order) => order.status === "pending_payment").length;
  return (
    <div
      className={cn("flex flex-wrap items-center justify-between gap-3 rounded-md border border-amber-300 bg-amber-50 p-3 text-sm text-amber-950", className)}
      data-testid="pay-now-panel"
    >
      <div className="grid gap-0.5">
        <p className="font-semibold">
          Awaiting payment · {amount} to authorise
          {orders > 1 && <span className="font-normal"> for {orders} orders</span>}
        </p>
        <p>
          Reserved for you: <TimeLeft expiresAt={data.expires_at} onExpire={refresh} />
        </p>
        {data.payment_error && (
          <p className="text-red-800" data-testid="pay-now-decline">
            Last attempt: {data.payment_error}
          </p>
        )}
      </div>
      <Button asChild size="sm">
        <Link to={`/checkout/pay/${encodeURIComponent(checkoutId)}`} data-testid="pay-now">
          <CreditCard aria-hidden="true" /> Pay now · {amount}
        </Link>
      </Button>
    </div>
  );
}
