import * as AlertDialog from "@radix-ui/react-alert-dialog";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { Textarea } from "@/components/ui/input";
import { toast } from "@/components/ui/toast";
import { api } from "@/lib/api";
import { errorMessage, fieldErrors } from "@/lib/api/errors";
import type { User } from "@/lib/api/models";
import { AuditTrail } from "./AuditTrail";

export const DEACTIVATION_REASON_MAX = 500;

/** What deactivating does, as the code does it: sessions end at once; orders are not touched. */
export function deactivationConsequences(role: User["role"]): string[] {
  const common = [
    "They are signed out on every device at once and cannot sign in; at sign-in they are told the account is deactivated and how to reach support. Password reset links stop working and no new ones are sent.",
  ];
  if (role === "seller") {
    return [
      ...common,
      "Their products stay listed and can still be bought. They cannot sign in to pack: open orders stay open (an admin can pack them), and any not packed within 6 days of payment are cancelled and the shopper's card hold is released. Payouts for orders already charged are not affected.",
    ];
  }
  return [
    ...common,
    "Their open orders stay as they are: sellers still pack and deliver them and the card is charged for what is packed. They still get the order mails but cannot sign in to follow them.",
  ];
}

export function DeactivateDialog({ user }: { user: User }) {
  const [open, setOpen] = useState(false);
  return (
    <AlertDialog.Root open={open} onOpenChange={setOpen}>
      <AlertDialog.Trigger asChild>
        <Button size="sm" variant="outline" className="text-destructive" aria-label={`Deactivate ${user.email}`} data-testid="deactivate-open">
          Deactivate
        </Button>
      </AlertDialog.Trigger>
      <AlertDialog.Portal>
        <AlertDialog.Overlay className="fixed inset-0 z-50 bg-black/50" />
        <AlertDialog.Content
          className="fixed left-1/2 top-1/2 z-50 grid max-h-[calc(100vh-2rem)] w-[calc(100%-2rem)] max-w-lg -translate-x-1/2 -translate-y-1/2 gap-4 overflow-y-auto rounded-lg border bg-background p-6 shadow-xl"
          data-testid="deactivate-dialog"
        >
          {/* Mounted while open only: every opening starts with an empty reason. */}
          {open && <DeactivateForm user={user} onDone={() => setOpen(false)} />}
        </AlertDialog.Content>
      </AlertDialog.Portal>
    </AlertDialog.Root>
  );
}

function DeactivateForm({ user, onDone }: { user: User; onDone: () => void }) {
  const queryClient = useQueryClient();
  const [reason, setReason] = useState("");
  const [touched, setTouched] = useState(false);
  const [serverError, setServerError] = useState<string | null>(null);
  const reasonError = reason.trim() ? null : "Say why: the reason is kept in the account's history.";
  const update = useMutation({
    mutationFn: (text: string) => api.adminUpdateUser(user.id, { is_active: false, reason: text }),
    onMutate: () => setServerError(null),
    onSuccess: (updated) => {
      queryClient.invalidateQueries({ queryKey: ["admin", "users"] });
      toast("Account deactivated", { description: updated.email });
      onDone();
    },
    onError: (error) => setServerError(fieldErrors(error).reason ?? errorMessage(error)),
  });

  function submit(event: FormEvent) {
    event.preventDefault();
    setTouched(true);
    if (reasonError || update.isPending) return;
    update.mutate(reason.trim());
  }

  return (
    <form onSubmit={submit} noValidate className="grid gap-4">
      <AlertDialog.Title className="text-lg font-semibold">Deactivate {user.full_name}?</AlertDialog.Title>
      <AlertDialog.Description asChild>
        <div className="grid gap-2 text-sm text-muted-foreground" data-testid="deactivate-consequences">
          {deactivationConsequences(user.role).map((line) => (
            <p key={line}>{line}</p>
          ))}
          <p>You can reactivate the account at any time.</p>
        </div>
      </AlertDialog.Description>
      <Field
        label="Reason"
        hint={<span data-testid="deactivate-reason-count">{reason.length}/{DEACTIVATION_REASON_MAX} characters · kept in the account's history</span>}
        error={touched && reasonError ? reasonError : undefined}
      >
        <Textarea
          value={reason}
          maxLength={DEACTIVATION_REASON_MAX}
          onChange={(event) => setReason(event.target.value)}
          placeholder="e.g. Repeated chargebacks on paid orders"
          data-testid="deactivate-reason"
        />
      </Field>
      {serverError && (
        <Alert tone="error" data-testid="deactivate-error">
          {serverError}
        </Alert>
      )}
      <section className="grid gap-2" aria-labelledby={`history-${user.id}`}>
        <h3 id={`history-${user.id}`} className="text-sm font-semibold">
          History
        </h3>
        <AuditTrail userId={user.id} />
      </section>
      <div className="flex flex-col-reverse gap-2 sm:flex-row sm:justify-end">
        <AlertDialog.Cancel asChild>
          <Button type="button" variant="outline" disabled={update.isPending}>
            Keep it active
          </Button>
        </AlertDialog.Cancel>
        <Button type="submit" variant="destructive" loading={update.isPending} data-testid="deactivate-submit">
          Deactivate
        </Button>
      </div>
    </form>
  );
}

/** The trail on its own, for any account (also the deactivated ones, next to "Reactivate"). */
export function HistoryDialog({ user }: { user: User }) {
  const [open, setOpen] = useState(false);
  return (
    <AlertDialog.Root open={open} onOpenChange={setOpen}>
      <AlertDialog.Trigger asChild>
        <Button size="sm" variant="ghost" aria-label={`History of ${user.email}`} data-testid="history-open">
          History
        </Button>
      </AlertDialog.Trigger>
      <AlertDialog.Portal>
        <AlertDialog.Overlay className="fixed inset-0 z-50 bg-black/50" />
        <AlertDialog.Content className="fixed left-1/2 top-1/2 z-50 grid max-h-[calc(100vh-2rem)] w-[calc(100%-2rem)] max-w-lg -translate-x-1/2 -translate-y-1/2 gap-4 overflow-y-auto rounded-lg border bg-background p-6 shadow-xl">
          <AlertDialog.Title className="text-lg font-semibold">History of {user.full_name}</AlertDialog.Title>
          <AlertDialog.Description className="text-sm text-muted-foreground">Every activation and deactivation, newest first.</AlertDialog.Description>
          {open && <AuditTrail userId={user.id} />}
          <div className="flex justify-end">
            <AlertDialog.Cancel asChild>
              <Button variant="outline">Close</Button>
            </AlertDialog.Cancel>
          </div>
        </AlertDialog.Content>
      </AlertDialog.Portal>
    </AlertDialog.Root>
  );
}
