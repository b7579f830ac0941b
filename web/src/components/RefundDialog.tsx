import * as AlertDialog from "@radix-ui/react-alert-dialog";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Undo2 } from "lucide-react";
import { useRef, useState, type FormEvent } from "react";
import { api } from "@/lib/api";
import { errorMessage, fieldErrors, isApiError } from "@/lib/api/errors";
import type { Order } from "@/lib/api/models";
import { useAuth } from "@/lib/auth";
import { formatCents, fromCents, toCents } from "@/lib/money";
import { checkRefundAmount, checkRefundReason, REFUND_REASON_MAX, refundSplit } from "@/lib/payouts";
import { keys } from "@/lib/queries";
import { uuid } from "@/lib/utils";
import { Alert } from "./ui/alert";
import { Button } from "./ui/button";
import { Field } from "./ui/field";
import { Input, Textarea } from "./ui/input";
import { toast } from "./ui/toast";

/** What the API refuses a refund with, in words: its own message (409, 422), or a field's. */
function refundError(error: unknown): string {
  if (isApiError(error) && error.status === 422 && Array.isArray(error.details)) {
    const fields = fieldErrors(error);
    const named = [fields.amount && `Amount: ${fields.amount}`, fields.reason && `Reason: ${fields.reason}`, fields[""]].filter(Boolean);
    if (named.length) return named.join(" ");
  }
  return errorMessage(error);
}

/**
 * "Refund" for the order's seller or an admin, while something is left to refund (`refundable`):
 * a dialog asks how much (all that is left by default) and why, shows what it means for the
 * shopper and the payout, and sends it once (one Idempotency-Key per submission).
 */
export function RefundDialog({ order }: { order: Order }) {
  const refundableCents = order.refundable ? toCents(order.refundable) : 0;
  const [open, setOpen] = useState(false);
  if (refundableCents <= 0) return null;
  return (
    <AlertDialog.Root open={open} onOpenChange={setOpen}>
      <AlertDialog.Trigger asChild>
        <Button variant="outline" data-testid="refund-open">
          <Undo2 aria-hidden="true" /> Refund
        </Button>
      </AlertDialog.Trigger>
      <AlertDialog.Portal>
        <AlertDialog.Overlay className="fixed inset-0 z-50 bg-black/50" />
        <AlertDialog.Content
          className="fixed left-1/2 top-1/2 z-50 grid max-h-[calc(100vh-2rem)] w-[calc(100%-2rem)] max-w-md -translate-x-1/2 -translate-y-1/2 gap-4 overflow-y-auto rounded-lg border bg-background p-6 shadow-xl"
          data-testid="refund-dialog"
        >
          {/* Mounted while open only: every opening starts from the whole refundable amount. */}
          {open && <RefundForm order={order} refundableCents={refundableCents} onDone={() => setOpen(false)} />}
        </AlertDialog.Content>
      </AlertDialog.Portal>
    </AlertDialog.Root>
  );
}

function RefundForm({ order, refundableCents, onDone }: { order: Order; refundableCents: number; onDone: () => void }) {
  const { user } = useAuth();
  const queryClient = useQueryClient();
  const currency = order.currency;
  const [amount, setAmount] = useState(fromCents(refundableCents));
  const [reason, setReason] = useState("");
  const [touched, setTouched] = useState(false);
  const [serverError, setServerError] = useState<string | null>(null);
  // One key per submission; kept only when the previous attempt never got an answer (network), so
  // sending it again cannot refund twice.
  const keyRef = useRef<string | null>(null);

  const amountCheck = checkRefundAmount(amount, refundableCents, currency);
  const reasonError = checkRefundReason(reason);
  const refund = useMutation({
    mutationFn: (body: { amount: string; reason: string }) => api.refundOrder(order.id, body, keyRef.current!),
    onMutate: () => setServerError(null),
    onSuccess: (updated) => {
      keyRef.current = null;
      queryClient.setQueryData(keys.order(updated.id), updated);
      queryClient.invalidateQueries({ queryKey: keys.order(updated.id) });
      queryClient.invalidateQueries({ queryKey: ["seller"] });
      queryClient.invalidateQueries({ queryKey: ["admin", "finance"] });
      queryClient.invalidateQueries({ queryKey: keys.myOrders });
      toast(`Refunded ${formatCents(amountCheck.ok ? amountCheck.cents : 0, currency)}`, { description: "The shopper gets it back on their card." });
      onDone();
    },
    onError: (error) => {
      if (!(isApiError(error) && error.status === 0)) keyRef.current = null;
      setServerError(refundError(error));
      // What is refundable may have changed meanwhile (another refund): show the order as it is.
      queryClient.invalidateQueries({ queryKey: keys.order(order.id) });
    },
  });

  function submit(event: FormEvent) {
    event.preventDefault();
    setTouched(true);
    if (!amountCheck.ok || reasonError || refund.isPending) return;
    keyRef.current ??= uuid();
    refund.mutate({ amount: fromCents(amountCheck.cents), reason: reason.trim() });
  }

  const payout = order.payout;
  const share =
    amountCheck.ok && payout && payout.status !== "no_account"
      ? refundSplit(toCents(payout.gross), toCents(payout.commission), toCents(order.refunded), amountCheck.cents).reversalCents
      : null;
  const isSeller = user?.role === "seller";

  return (
    <form onSubmit={submit} noValidate className="grid gap-4">
      <AlertDialog.Title className="text-lg font-semibold">Refund this order</AlertDialog.Title>
      <AlertDialog.Description className="text-sm text-muted-foreground">
        Up to {formatCents(refundableCents, currency)} can still be refunded to the shopper's card. This can't be undone.
      </AlertDialog.Description>
      <Field label={`Amount (${currency.toUpperCase()})`} error={touched || amount !== fromCents(refundableCents) ? (amountCheck.ok ? undefined : amountCheck.error) : undefined}>
        <Input
          inputMode="decimal"
          autoComplete="off"
          value={amount}
          onChange={(event) => setAmount(event.target.value)}
          data-testid="refund-amount"
        />
      </Field>
      <Field
        label="Reason"
        hint={<span data-testid="refund-reason-count">{reason.length}/{REFUND_REASON_MAX} characters · the shopper sees it</span>}
        error={touched && reasonError ? reasonError : undefined}
      >
        <Textarea
          value={reason}
          maxLength={REFUND_REASON_MAX}
          onChange={(event) => setReason(event.target.value)}
          placeholder="e.g. Two apples were bruised"
          data-testid="refund-reason"
        />
      </Field>
      <p className="rounded-md bg-muted px-3 py-2 text-sm" data-testid="refund-summary" aria-live="polite">
        {amountCheck.ok ? (
          <>
            The shopper gets {formatCents(amountCheck.cents, currency)} back;{" "}
            {isSeller ? "your payout is reduced by your share" : "the seller's payout is reduced by their share"}
            {share !== null && share > 0 ? ` (${formatCents(share, currency)})` : ""}.
          </>
        ) : (
          "Enter a valid amount to see what the shopper gets back."
        )}
      </p>
      {serverError && (
        <Alert tone="error" data-testid="refund-error">
          {serverError}
        </Alert>
      )}
      <div className="flex flex-col-reverse gap-2 sm:flex-row sm:justify-end">
        <AlertDialog.Cancel asChild>
          <Button type="button" variant="outline" disabled={refund.isPending}>
            Keep it
          </Button>
        </AlertDialog.Cancel>
        <Button type="submit" variant="destructive" loading={refund.isPending} data-testid="refund-submit">
          {refund.isPending ? "Refunding…" : amountCheck.ok ? `Refund ${formatCents(amountCheck.cents, currency)}` : "Refund"}
        </Button>
      </div>
    </form>
  );
}
