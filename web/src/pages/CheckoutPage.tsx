import { useQueryClient } from "@tanstack/react-query";
import { lazy, Suspense, useEffect, useRef, useState, type FormEvent } from "react";
import { Link, useNavigate } from "react-router";
import { AddressForm, cleanAddress, EMPTY_ADDRESS, validateAddress } from "@/components/checkout/AddressForm";
import { LocalCardForm } from "@/components/checkout/LocalCardForm";
import { BasketLines } from "@/components/BasketLines";
import { PageHeader } from "@/components/PageHeader";
import { Price } from "@/components/Price";
import { EmptyState, PageLoading } from "@/components/states";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { api } from "@/lib/api";
import { errorMessage, fieldErrors, isApiError } from "@/lib/api/errors";
import type { CheckoutResponse, ShippingAddress } from "@/lib/api/types";
import { useAuth } from "@/lib/auth";
import { basket, basketTotalCents, useBasket } from "@/lib/basket";
import { shortagesFromConflict, useBasketCheck, type LineIssue } from "@/lib/basketCheck";
import { formatCents, formatMoney } from "@/lib/money";
import { keys } from "@/lib/queries";
import { uuid } from "@/lib/utils";

const StripePayment = lazy(() => import("@/components/checkout/StripePayment"));

const PENDING_KEY = "sg.checkout.pending";
const ADDRESS_KEY = "sg.address";

function readJson<T>(storage: Storage, key: string): T | null {
  try {
    const raw = storage.getItem(key);
    return raw ? (JSON.parse(raw) as T) : null;
  } catch {
    return null;
  }
}

export default function CheckoutPage() {
  const { user } = useAuth();
  const lines = useBasket();
  const navigate = useNavigate();
  const queryClient = useQueryClient();

  // A checkout awaiting payment survives a reload (same tab), so the user can still pay for it.
  const [pending, setPending] = useState<CheckoutResponse | null>(() => readJson(sessionStorage, PENDING_KEY));
  const [address, setAddress] = useState<ShippingAddress>(
    () => readJson<ShippingAddress>(localStorage, ADDRESS_KEY) ?? { ...EMPTY_ADDRESS, full_name: user?.full_name ?? "" },
  );
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [submitError, setSubmitError] = useState<string | null>(null);
  const [conflicts, setConflicts] = useState<Record<string, LineIssue>>({});
  const [submitting, setSubmitting] = useState(false);
  const [paymentError, setPaymentError] = useState<string | null>(null);
  const [paymentFailedFinal, setPaymentFailedFinal] = useState(false);
  // One key per checkout attempt: a double click or a retried request cannot create two checkouts.
  const idempotencyKey = useRef(uuid());
  const formRef = useRef<HTMLDivElement>(null);

  const { issues: checkIssues, hasIssues } = useBasketCheck(pending ? [] : lines);
  const issues = { ...checkIssues, ...conflicts };

  // Once the user changes quantities after a conflict, the old conflict no longer applies.
  const basketShape = lines.map((line) => `${line.product.id}:${line.quantity}`).join(",");
  useEffect(() => {
    setConflicts({});
  }, [basketShape]);

  function focusFirstError() {
    requestAnimationFrame(() => formRef.current?.querySelector<HTMLElement>("[aria-invalid=true]")?.focus());
  }

  async function placeOrder(event: FormEvent) {
    event.preventDefault();
    setSubmitError(null);
    const localErrors = validateAddress(address);
    setErrors(localErrors);
    if (Object.keys(localErrors).length) {
      focusFirstError();
      return;
    }
    setSubmitting(true);
    try {
      const response = await api.checkout(
        {
          items: lines.map((line) => ({ product_id: line.product.id, quantity: line.quantity })),
          shipping_address: cleanAddress(address),
        },
        idempotencyKey.current,
      );
      localStorage.setItem(ADDRESS_KEY, JSON.stringify(cleanAddress(address)));
      sessionStorage.setItem(PENDING_KEY, JSON.stringify(response));
      setPending(response);
      window.scrollTo(0, 0);
    } catch (error) {
      if (isApiError(error) && error.status !== 0) idempotencyKey.current = uuid(); // the server refused this attempt
      if (isApiError(error) && error.status === 409) {
        setConflicts(shortagesFromConflict(error.details));
        setSubmitError(`${error.message || "Some items are out of stock."} Adjust the highlighted items and try again.`);
        queryClient.invalidateQueries({ queryKey: ["product"] });
      } else if (isApiError(error) && error.isValidation) {
        const byField = fieldErrors(error);
        const addressErrors: Record<string, string> = {};
        for (const [path, message] of Object.entries(byField)) {
          if (path.startsWith("shipping_address.")) addressErrors[path.slice("shipping_address.".length)] = message;
        }
        setErrors(addressErrors);
        setSubmitError(Object.keys(addressErrors).length ? "Please check the highlighted fields." : errorMessage(error));
        focusFirstError();
      } else {
        setSubmitError(errorMessage(error));
      }
    } finally {
      setSubmitting(false);
    }
  }

  function finish(checkout: CheckoutResponse) {
    basket.clear();
    sessionStorage.removeItem(PENDING_KEY);
    queryClient.invalidateQueries({ queryKey: keys.myOrders });
    queryClient.invalidateQueries({ queryKey: keys.allProducts });
    navigate(`/checkout/complete?orders=${checkout.orders.map((order) => order.id).join(",")}`, { replace: true });
  }

  async function payWithTestCard(checkout: CheckoutResponse, cardNumber: string) {
    setPaymentError(null);
    try {
      const result = await api.confirmLocalPayment({ client_secret: checkout.payment.client_secret, card_number: cardNumber });
      if (result.status === "succeeded") {
        finish(checkout);
        return;
      }
      setPaymentError("Your card was declined. No money was taken.");
      // Whether a decline ends the checkout is the server's call: look at the order to find out.
      const order = await api.getOrder(checkout.orders[0].id).catch(() => null);
      if (order && order.status !== "pending_payment") setPaymentFailedFinal(true);
    } catch (error) {
      setPaymentError(errorMessage(error));
    }
  }

  async function abandonCheckout(checkout: CheckoutResponse) {
    // Release the reserved stock now rather than waiting for the unpaid orders to expire.
    await Promise.allSettled(
      checkout.orders.filter((order) => order.status === "pending_payment").map((order) => api.updateOrderStatus(order.id, "cancelled")),
    );
    sessionStorage.removeItem(PENDING_KEY);
    idempotencyKey.current = uuid();
    setPending(null);
    setPaymentError(null);
    setPaymentFailedFinal(false);
    queryClient.invalidateQueries({ queryKey: ["product"] });
  }

  if (pending) {
    const amountLabel = formatMoney(pending.payment.amount, pending.payment.currency);
    return (
      <>
        <PageHeader title="Payment" description="Your orders are reserved. Pay to confirm them." />
        <div className="grid gap-6 lg:grid-cols-[1fr_22rem]">
          <Card>
            <CardHeader>
              <CardTitle>Pay {amountLabel}</CardTitle>
            </CardHeader>
            <CardContent className="grid gap-4">
              {paymentFailedFinal ? (
                <Alert
                  tone="error"
                  title="Payment declined"
                  data-testid="payment-failed"
                  action={<Button onClick={() => abandonCheckout(pending)}>Start checkout again</Button>}
                >
                  These orders could not be paid and were closed. Your basket is still here, so you can try again.
                </Alert>
              ) : pending.payment.provider === "local" ? (
                <LocalCardForm amountLabel={amountLabel} error={paymentError} onPay={(card) => payWithTestCard(pending, card)} />
              ) : pending.payment.publishable_key ? (
                <Suspense fallback={<PageLoading label="Loading secure payment form…" />}>
                  <StripePayment
                    publishableKey={pending.payment.publishable_key}
                    clientSecret={pending.payment.client_secret}
                    amountLabel={amountLabel}
                    returnUrl={`${window.location.origin}/checkout/complete?orders=${pending.orders.map((o) => o.id).join(",")}`}
                    onSucceeded={() => finish(pending)}
                  />
                </Suspense>
              ) : (
                <Alert tone="error" title="Payments are not available">
                  The payment provider is not configured. Please try again later.
                </Alert>
              )}
              {!paymentFailedFinal && (
                <Button variant="link" size="inline" className="justify-self-start" onClick={() => abandonCheckout(pending)}>
                  Cancel and change my basket
                </Button>
              )}
            </CardContent>
          </Card>
          <CheckoutSummary checkout={pending} />
        </div>
      </>
    );
  }

  if (lines.length === 0) {
    return (
      <>
        <PageHeader title="Checkout" />
        <EmptyState
          title="Nothing to check out"
          action={
            <Button asChild>
              <Link to="/products">Browse groceries</Link>
            </Button>
          }
        >
          Your basket is empty. Add some groceries first.
        </EmptyState>
      </>
    );
  }

  const currency = lines[0].product.currency;
  const blocked = hasIssues || Object.keys(conflicts).length > 0;
  return (
    <>
      <PageHeader title="Checkout" description="Where should we deliver?" />
      <div className="grid gap-6 lg:grid-cols-[1fr_24rem]">
        <Card>
          <CardHeader>
            <CardTitle>Delivery address</CardTitle>
          </CardHeader>
          <CardContent>
            <div ref={formRef}>
            <AddressForm value={address} onChange={setAddress} errors={errors} onSubmit={placeOrder}>
              {submitError && (
                <Alert tone="error" title="We couldn't place your order" data-testid="checkout-error">
                  {submitError}
                </Alert>
              )}
              {blocked && !submitError && (
                <Alert tone="warning">Some items in your basket need attention before you can continue.</Alert>
              )}
              <Button type="submit" size="lg" loading={submitting} disabled={blocked} data-testid="place-order">
                Continue to payment · {formatCents(basketTotalCents(lines), currency)}
              </Button>
            </AddressForm>
            </div>
          </CardContent>
        </Card>
        <div className="grid content-start gap-3">
          <h2 className="text-lg font-semibold">Your basket</h2>
          <BasketLines lines={lines} issues={issues} />
        </div>
      </div>
    </>
  );
}

function CheckoutSummary({ checkout }: { checkout: CheckoutResponse }) {
  return (
    <Card className="h-fit">
      <CardHeader>
        <CardTitle>{checkout.orders.length === 1 ? "1 order" : `${checkout.orders.length} orders`}</CardTitle>
      </CardHeader>
      <CardContent className="grid gap-4">
        {checkout.orders.map((order) => (
          <div key={order.id} className="grid gap-1 text-sm">
            <p className="font-medium">From {order.seller_name || "seller"}</p>
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
          <Price amount={checkout.payment.amount} currency={checkout.payment.currency} />
        </div>
      </CardContent>
    </Card>
  );
}
