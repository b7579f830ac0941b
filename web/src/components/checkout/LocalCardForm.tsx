import { CreditCard } from "lucide-react";
import { useState, type FormEvent } from "react";
import { Alert } from "../ui/alert";
import { Button } from "../ui/button";
import { StickyAction } from "../ui/sticky-action";
import { Field } from "../ui/field";
import { Input } from "../ui/input";

export const TEST_CARD_OK = "4242 4242 4242 4242";
export const TEST_CARD_DECLINED = "4000 0000 0000 0002";

interface LocalCardFormProps {
  amountLabel: string;
  onPay: (cardNumber: string) => Promise<void>;
  error?: string | null;
}

/** The local provider's test card form. No real card data: the local runner simulates the charge. */
export function LocalCardForm({ amountLabel, onPay, error }: LocalCardFormProps) {
  const [cardNumber, setCardNumber] = useState(TEST_CARD_OK);
  const [busy, setBusy] = useState(false);
  const [fieldError, setFieldError] = useState<string | undefined>();

  async function submit(event: FormEvent) {
    event.preventDefault();
    const digits = cardNumber.replace(/\s+/g, "");
    if (!/^\d{12,19}$/.test(digits)) {
      setFieldError("Enter a card number of 12 to 19 digits.");
      return;
    }
    setFieldError(undefined);
    setBusy(true);
    try {
      await onPay(digits);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={submit} className="grid gap-4" aria-label="Test card payment" data-testid="local-card-form" noValidate>
      <Alert tone="info" title="Test payments">
        This environment uses a simulated payment provider. <strong>{TEST_CARD_OK}</strong> is authorised;{" "}
        <strong>{TEST_CARD_DECLINED}</strong> is declined.
      </Alert>
      <Field label="Card number" error={fieldError}>
        <Input
          name="card_number"
          inputMode="numeric"
          autoComplete="cc-number"
          value={cardNumber}
          onChange={(event) => setCardNumber(event.target.value)}
          data-testid="card-number"
        />
      </Field>
      {error && (
        <Alert tone="error" title="Payment failed" data-testid="payment-error">
          {error}
        </Alert>
      )}
      <StickyAction>
        <Button type="submit" size="lg" loading={busy} data-testid="pay-button">
          <CreditCard aria-hidden="true" /> {busy ? "Processing…" : `Authorise ${amountLabel}`}
        </Button>
      </StickyAction>
    </form>
  );
}
