import * as AlertDialog from "@radix-ui/react-alert-dialog";
import { useMutation } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { api } from "@/lib/api";
import { errorMessage } from "@/lib/api/errors";
import type { Seller, User } from "@/lib/api/models";
import { checkCommissionPercent, formatRate } from "@/lib/payouts";
import { Alert } from "../ui/alert";
import { Button } from "../ui/button";
import { Field } from "../ui/field";
import { Input } from "../ui/input";
import { toast } from "../ui/toast";

/**
 * An admin sets a seller's own commission (0-50 %) or clears it back to the platform's rate. Orders
 * keep the rate they were placed with; the new one applies to later checkouts.
 */
export function CommissionDialog({ user, seller, onSaved }: { user: User; seller: Seller | null; onSaved: (seller: Seller) => void }) {
  const [open, setOpen] = useState(false);
  return (
    <AlertDialog.Root open={open} onOpenChange={setOpen}>
      <AlertDialog.Trigger asChild>
        <Button size="sm" variant="outline" aria-label={`Commission for ${user.email}`} data-testid="commission-open">
          Commission
        </Button>
      </AlertDialog.Trigger>
      <AlertDialog.Portal>
        <AlertDialog.Overlay className="fixed inset-0 z-50 bg-black/50" />
        <AlertDialog.Content className="fixed left-1/2 top-1/2 z-50 grid w-[calc(100%-2rem)] max-w-md -translate-x-1/2 -translate-y-1/2 gap-4 rounded-lg border bg-background p-6 shadow-xl">
          {open && (
            <CommissionForm
              user={user}
              seller={seller}
              onDone={(saved) => {
                onSaved(saved);
                setOpen(false);
              }}
            />
          )}
        </AlertDialog.Content>
      </AlertDialog.Portal>
    </AlertDialog.Root>
  );
}

function CommissionForm({ user, seller, onDone }: { user: User; seller: Seller | null; onDone: (seller: Seller) => void }) {
  const [text, setText] = useState(seller?.commission_bps != null ? String(seller.commission_bps / 100) : "");
  const [touched, setTouched] = useState(false);
  const check = checkCommissionPercent(text);
  const save = useMutation({
    mutationFn: (bps: number | null) => api.adminUpdateSeller(user.id, { commission_bps: bps }),
    onSuccess: (saved) => {
      toast(
        saved.commission_bps === null
          ? `${saved.name} pays the platform's rate (${formatRate(saved.effective_commission_bps)})`
          : `${saved.name} pays ${formatRate(saved.effective_commission_bps)} commission`,
        { description: "From their next orders on." },
      );
      onDone(saved);
    },
  });

  function submit(event: FormEvent) {
    event.preventDefault();
    setTouched(true);
    if (check.ok) save.mutate(check.bps);
  }

  return (
    <form onSubmit={submit} noValidate className="grid gap-4">
      <AlertDialog.Title className="text-lg font-semibold">Commission for {user.full_name}</AlertDialog.Title>
      <AlertDialog.Description className="text-sm text-muted-foreground">
        {seller
          ? `Now ${formatRate(seller.effective_commission_bps)}${seller.commission_bps === null ? " (the platform's rate)" : " (their own rate)"}. `
          : ""}
        A new rate applies to orders placed from now on.
      </AlertDialog.Description>
      <Field label="Commission (%)" hint="0 to 50. Leave empty for the platform's rate." error={touched && !check.ok ? check.error : undefined}>
        <Input inputMode="decimal" value={text} onChange={(event) => setText(event.target.value)} data-testid="commission-input" />
      </Field>
      {save.isError && (
        <Alert tone="error" data-testid="commission-error">
          {errorMessage(save.error)}
        </Alert>
      )}
      <div className="flex flex-col-reverse gap-2 sm:flex-row sm:justify-end">
        <AlertDialog.Cancel asChild>
          <Button type="button" variant="outline" disabled={save.isPending}>
            Cancel
          </Button>
        </AlertDialog.Cancel>
        <Button type="button" variant="outline" disabled={save.isPending} onClick={() => save.mutate(null)} data-testid="commission-clear">
          Use platform rate
        </Button>
        <Button type="submit" loading={save.isPending && save.variables !== null} data-testid="commission-save">
          Save
        </Button>
      </div>
    </form>
  );
}
