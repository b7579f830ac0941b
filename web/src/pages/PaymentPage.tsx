import { useQueryClient } from "@tanstack/react-query";
import { lazy, Suspense, useCallback, useEffect, useState } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { CheckoutSummary } from "@/components/checkout/CheckoutSummary";
import { LocalCardForm } from "@/components/checkout/LocalCardForm";
import { PageHeader } from "@/components/PageHeader";
import { EmptyState, ErrorState, PageLoading } from "@/components/states";
import { TimeLeft } from "@/components/TimeLeft";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { api } from "@/lib/api";
import { errorMessage, isApiError } from "@/lib/api/errors";
import type { Checkout } from "@/lib/api/models";
import { isAuthorised, isPayable, openCheckout, settlePaidCheckout } from "@/lib/checkouts";
import { formatMoney } from "@/lib/money";
import { keys, useCheckout } from "@/lib/queries";
import { msUntil } from "@/lib/time";

const StripePayment = lazy(() => import("@/components/checkout/StripePayment"));

/** Where an authorised checkout goes: the confirmation page, which waits for the payment webhook. */
export function confirmationUrl(checkout: Pick<Checkout, "checkout_id" | "orders">): string {
  const paying = checkout.orders.filter((order) => order.status === "pending_payment" || order.status === "confirmed");
  const ids = (paying.length ? paying : checkout.orders).map((order) => order.id).join(",");
  return `/checkout/complete?orders=${ids}&checkout=${encodeURIComponent(checkout.checkout_id)}`;
}

/**
 * The payment of one checkout, resumable: reached right after placing the order, from "Pay now"
 * in My orders or on an order, or by coming back to checkout. A declined card is not the end: the
 * shopper tries another card on the same payment until the checkout expires.
 */
export default function PaymentPage() {
  const { checkoutId = "" } = useParams();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const checkout = useCheckout(checkoutId);
  const [declinesHere, setDeclinesHere] = useState(0);
  const [attemptError, setAttemptError] = useState<string | null>(null);
  const [cancelError, setCancelError] = useState<string | null>(null);

  const refresh = useCallback(() => {
    queryClient.invalidateQueries({ queryKey: keys.checkout(checkoutId) });
    queryClient.invalidateQueries({ queryKey: keys.myOrders });
  }, [queryClient, checkoutId]);

  const data = checkout.data;
  const status = data ? (isPayable(data) ? "payable" : isAuthorised(data) ? "authorised" : "closed") : null;

  useEffect(() => {
    if (status === "authorised") settlePaidCheckout(checkoutId); // authorised elsewhere (another tab, a redirect)
    if (status === "closed") openCheckout.forget(checkoutId);
  }, [status, checkoutId]);

  function finish(paid: Checkout) {
    settlePaidCheckout(paid.checkout_id);
    queryClient.invalidateQueries({ queryKey: keys.myOrders });
    queryClient.invalidateQueries({ queryKey: keys.checkout(paid.checkout_id) });
    queryClient.invalidateQueries({ queryKey: keys.allProducts });
    navigate(confirmationUrl(paid), { replace: true });
  }

  async function payWithTestCard(current: Checkout & { payment: NonNullable<Checkout["payment"]> }, cardNumber: string) {
    setAttemptError(null);
    try {
      const result = await api.confirmLocalPayment({ client_secret: current.payment.client_secret, card_number: cardNumber });
      // "authorized": the card holds the amount; it is charged once the sellers have packed.
      if (result.status === "authorized") {
        finish(current);
        return;
      }
      // Declined: the checkout stays open with the decline recorded; show what the server says.
      setDeclinesHere((count) => count + 1);
      await checkout.refetch();
    } catch (error) {
      if (isApiError(error) && error.status === 404) {
        // Nothing awaits payment any more (authorised in another tab, or expired): show where it stands.
        await checkout.refetch();
        setAttemptError("This payment is no longer waiting for a card.");
      } else {
        setAttemptError(errorMessage(error));
      }
    }
  }

  async function cancelCheckout(current: Checkout) {
    setCancelError(null);
    const cancellable = current.orders.filter((order) => (order.allowed_transitions ?? []).includes("cancelled") && order.status === "pending_payment");
    const results = await Promise.allSettled(cancellable.map((order) => api.updateOrderStatus(order.id, "cancelled")));
    refresh();
    queryClient.invalidateQueries({ queryKey: ["product"] });
    const failed = results.find((result) => result.status === "rejected");
    if (failed) {
      setCancelError(errorMessage((failed as PromiseRejectedResult).reason));
      return;
    }
    openCheckout.forget(current.checkout_id);
    navigate("/basket");
  }

  if (checkout.isPending) return <PageLoading label="Loading your payment…" />;
  if (checkout.isError) {
    if (isApiError(checkout.error) && checkout.error.status === 404) {
      return (
        <EmptyState title="Checkout not found" action={<Button asChild><Link to="/orders">My orders</Link></Button>}>
          There is no checkout with that number on your account.
        </EmptyState>
      );
    }
    return (
      <>
        <PageHeader title="Payment" />
        <ErrorState error={checkout.error} onRetry={() => checkout.refetch()} title="Your payment could not be loaded" />
      </>
    );
  }

  const current = checkout.data;
  if (status === "authorised") {
    return (
      <div className="mx-auto grid max-w-2xl gap-6">
        <PageHeader title="Already authorised" />
        <Alert
          tone="success"
          title="Your card is authorised for this checkout"
          data-testid="checkout-already-paid"
          action={<Button asChild><Link to={confirmationUrl(current)}>See your orders</Link></Button>}
        >
          Nothing more to do. The sellers will pack your orders, and your card is charged only for what they pack.
        </Alert>
      </div>
    );
  }
  if (!isPayable(current)) {
    const expired = msUntil(current.expires_at) <= 0;
    return (
      <div className="mx-auto grid max-w-2xl gap-6">
        <PageHeader title={expired ? "Time to pay has run out" : "Checkout closed"} />
        <Alert
          tone="warning"
          title={expired ? "This checkout has expired" : "This checkout was closed"}
          data-testid="checkout-closed"
          action={
            <div className="flex flex-wrap gap-2">
              <Button asChild><Link to="/basket">Back to my basket</Link></Button>
              <Button asChild variant="outline"><Link to="/orders">My orders</Link></Button>
            </div>
          }
        >
          Nothing was charged and the reserved items were released. Your basket still holds what you chose, so you can check out again.
        </Alert>
      </div>
    );
  }

  const payment = current.payment;
  const amountLabel = formatMoney(payment.amount, payment.currency);
  const decline = current.payment_error ?? (declinesHere > 0 ? "Your card was declined." : null);
  return (
    <>
      <PageHeader
        title="Payment"
        description={
          <>
            Your orders are reserved for you: <TimeLeft expiresAt={current.expires_at} onExpire={refresh} />. Authorise your card to confirm them.
          </>
        }
      />
      <div className="grid gap-6 lg:grid-cols-[1fr_22rem]">
        <Card>
          <CardHeader>
            <CardTitle>Authorise {amountLabel}</CardTitle>
          </CardHeader>
          <CardContent className="grid gap-4">
            <p className="text-sm text-muted-foreground" data-testid="authorise-note">
              Your card is authorised for {amountLabel} now: the amount is held, not charged. You are charged only for what the sellers pack, and the rest
              of the hold is released.
            </p>
            {decline && (
              <Alert tone="error" title={declinesHere > 1 ? "Declined again" : "Payment declined"} data-testid="payment-declined">
                <p data-testid="decline-message">{decline}</p>
                <p className="mt-1">
                  No money was taken. Enter another card below for the same orders; they stay reserved until the time runs out.
                </p>
              </Alert>
            )}
            {payment.provider === "local" ? (
              <LocalCardForm amountLabel={amountLabel} error={attemptError} onPay={(card) => payWithTestCard({ ...current, payment }, card)} />
            ) : payment.publishable_key ? (
              <Suspense fallback={<PageLoading label="Loading secure payment form…" />}>
                <StripePayment
                  publishableKey={payment.publishable_key}
                  clientSecret={payment.client_secret}
                  amountLabel={amountLabel}
                  returnUrl={`${window.location.origin}${confirmationUrl(current)}`}
                  onSucceeded={() => finish(current)}
                />
              </Suspense>
            ) : (
              <Alert tone="error" title="Payments are not available">
                The payment provider is not configured. Please try again later.
              </Alert>
            )}
            {cancelError && (
              <Alert tone="error" title="The checkout could not be cancelled" data-testid="cancel-checkout-error">
                {cancelError}
              </Alert>
            )}
            <ConfirmDialog
              trigger={
                <Button variant="link" size="inline" className="min-h-11 justify-self-start sm:min-h-0" data-testid="cancel-checkout">
                  Cancel and change my basket
                </Button>
              }
              title="Cancel this checkout?"
              description="Its orders are cancelled and the reserved items released. Nothing has been charged, and your basket stays as it is."
              confirmLabel="Cancel checkout"
              cancelLabel="Keep paying"
              destructive
              onConfirm={() => cancelCheckout(current)}
            />
          </CardContent>
        </Card>
        <CheckoutSummary orders={current.orders} authorised={payment.amount} estimated={payment.estimated_total} currency={current.currency} />
      </div>
    </>
  );
}
