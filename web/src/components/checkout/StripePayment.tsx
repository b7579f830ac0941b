import { loadStripe, type Stripe, type StripeElements } from "@stripe/stripe-js";
import { useEffect, useRef, useState, type FormEvent } from "react";
import { Alert } from "../ui/alert";
import { Button } from "../ui/button";
import { StickyAction } from "../ui/sticky-action";
import { Spinner } from "../ui/spinner";

interface StripePaymentProps {
  publishableKey: string;
  clientSecret: string;
  amountLabel: string;
  /** Where Stripe sends the browser back after a redirect-based method (3-D Secure, wallets). */
  returnUrl: string;
  onSucceeded: () => void;
}

/** Stripe's Payment Element. This module (and Stripe.js) is loaded only when a Stripe checkout needs it. */
export default function StripePayment({ publishableKey, clientSecret, amountLabel, returnUrl, onSucceeded }: StripePaymentProps) {
  const mountRef = useRef<HTMLDivElement>(null);
  const [stripe, setStripe] = useState<Stripe | null>(null);
  const [elements, setElements] = useState<StripeElements | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let cancelled = false;
    loadStripe(publishableKey)
      .then((instance) => {
        if (cancelled || !instance || !mountRef.current) return;
        const created = instance.elements({ clientSecret });
        created.create("payment").mount(mountRef.current);
        setStripe(instance);
        setElements(created);
      })
      .catch(() => !cancelled && setLoadError("The payment form could not be loaded. Check your connection and reload."));
    return () => {
      cancelled = true;
    };
  }, [publishableKey, clientSecret]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!stripe || !elements) return;
    setBusy(true);
    setError(null);
    const result = await stripe.confirmPayment({ elements, redirect: "if_required", confirmParams: { return_url: returnUrl } });
    setBusy(false);
    if (result.error) setError(result.error.message ?? "The payment was not completed.");
    else onSucceeded();
  }

  if (loadError) return <Alert tone="error" title="Payment unavailable">{loadError}</Alert>;

  return (
    <form onSubmit={submit} className="grid gap-4" aria-label="Card payment">
      {!elements && <Spinner label="Loading secure payment form…" />}
      <div ref={mountRef} />
      {error && (
        <Alert tone="error" title="Payment failed" data-testid="payment-error">
          {error}
        </Alert>
      )}
      <StickyAction>
        <Button type="submit" size="lg" loading={busy} disabled={!elements}>
          Authorise {amountLabel}
        </Button>
      </StickyAction>
    </form>
  );
}
