import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { api } from "@/lib/api";
import { errorMessage } from "@/lib/api/errors";
import type { Order } from "@/lib/api/models";
import { orderActions, STATUS_LABEL, type StatusAction } from "@/lib/orders";
import { keys } from "@/lib/queries";
import { Alert } from "./ui/alert";
import { Button } from "./ui/button";
import { ConfirmDialog } from "./ui/confirm-dialog";
import { toast } from "./ui/toast";

/** What marking an order delivered means, said before it is done (the status machine has no way back). */
export function deliveredWarning(order: Pick<Order, "fulfilment">): string {
  const handed = order.fulfilment?.method === "pickup" ? "collected it" : "received it";
  return (
    `Only do this once the shopper has ${handed}. They are emailed that their order was delivered, ` +
    "and the order is closed: it can't be moved back or cancelled. If something was wrong, you can still refund it once it is charged."
  );
}

/**
 * The status moves the server allows this user on the order (`allowed_transitions`), with a
 * confirmation before cancelling and before marking it delivered. Every button is disabled while one
 * move is being sent. After a move, focus goes to `onMoved`'s choice, or to a line saying what was done
 * when no move is left (the buttons it was on are gone).
 */
export function OrderActions({ order, compact = false, onMoved }: { order: Order; compact?: boolean; onMoved?: (order: Order) => void }) {
  const queryClient = useQueryClient();
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const doneRef = useRef<HTMLParagraphElement>(null);
  useEffect(() => {
    if (done) doneRef.current?.focus();
  }, [done]);
  // A move confirmed in a dialog: focus is placed once the dialog has closed (it traps focus until then).
  const movedInDialog = useRef<Order | null>(null);
  function afterMove(updated: Order) {
    if (onMoved) onMoved(updated);
    else if ((updated.allowed_transitions ?? []).length === 0) setDone(`Order ${STATUS_LABEL[updated.status].toLowerCase()}.`);
  }
  function focusAfterDialog(event: Event) {
    const updated = movedInDialog.current;
    if (!updated) return; // kept, or refused: back to the button
    movedInDialog.current = null;
    event.preventDefault();
    afterMove(updated);
  }
  const mutation = useMutation({
    mutationFn: (action: StatusAction) => api.updateOrderStatus(order.id, action.status),
    onMutate: () => setError(null),
    onSuccess: (updated, action) => {
      queryClient.setQueryData(keys.order(updated.id), updated);
      queryClient.invalidateQueries({ queryKey: ["seller"] });
      queryClient.invalidateQueries({ queryKey: keys.myOrders });
      queryClient.invalidateQueries({ queryKey: keys.checkout(updated.checkout_id) });
      toast(`Order ${STATUS_LABEL[updated.status].toLowerCase()}`);
      if (action.destructive || action.status === "delivered") movedInDialog.current = updated;
      else afterMove(updated);
    },
    onError: (err) => {
      setError(errorMessage(err));
      // The order may have moved on elsewhere (e.g. confirmed or cancelled): show its real state.
      queryClient.invalidateQueries({ queryKey: keys.order(order.id) });
      queryClient.invalidateQueries({ queryKey: ["seller", "orders"] });
    },
  });

  const actions = orderActions(order);
  if (actions.length === 0) {
    return done ? (
      <p ref={doneRef} tabIndex={-1} role="status" className="text-sm font-medium outline-none" data-testid="action-done">
        {done}
      </p>
    ) : null;
  }

  return (
    <div className="grid gap-2">
      <div className="flex flex-wrap gap-2">
        {actions.map((action) =>
          action.destructive ? (
            <ConfirmDialog
              key={action.status}
              trigger={
                <Button variant="outline" size={compact ? "sm" : "default"} className="text-destructive" disabled={mutation.isPending} data-testid="cancel-order">
                  {action.label}
                </Button>
              }
              title="Cancel this order?"
              description={
                order.payment_status === "captured"
                  ? "The order will be cancelled and the charge refunded to the card. This can't be undone."
                  : order.payment_status === "authorized"
                    ? "The order will be cancelled and its share of the hold on the card released. Nothing has been charged for it. This can't be undone."
                    : "The order will be cancelled and its items released. Nothing has been charged for it. This can't be undone."
              }
              confirmLabel="Cancel order"
              destructive
              onConfirm={() => mutation.mutateAsync(action)}
              onCloseAutoFocus={focusAfterDialog}
            />
          ) : action.status === "delivered" ? (
            <ConfirmDialog
              key={action.status}
              trigger={
                <Button size={compact ? "sm" : "default"} disabled={mutation.isPending} data-testid="action-delivered">
                  {action.label}
                </Button>
              }
              title="Mark this order delivered?"
              description={deliveredWarning(order)}
              confirmLabel="Yes, mark delivered"
              cancelLabel="Not yet"
              confirmTestId="confirm-delivered"
              onConfirm={() => mutation.mutateAsync(action)}
              onCloseAutoFocus={focusAfterDialog}
            />
          ) : (
            <Button
              key={action.status}
              size={compact ? "sm" : "default"}
              loading={mutation.isPending && mutation.variables?.status === action.status}
              disabled={mutation.isPending}
              onClick={() => mutation.mutate(action)}
              data-testid={`action-${action.status}`}
            >
              {action.label}
            </Button>
          ),
        )}
      </div>
      {error && (
        <Alert tone="error" data-testid="action-error">
          {error}
        </Alert>
      )}
    </div>
  );
}
