import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api } from "@/lib/api";
import { errorMessage } from "@/lib/api/errors";
import type { Order } from "@/lib/api/models";
import { orderActions, STATUS_LABEL, type StatusAction } from "@/lib/orders";
import { keys } from "@/lib/queries";
import { Alert } from "./ui/alert";
import { Button } from "./ui/button";
import { ConfirmDialog } from "./ui/confirm-dialog";
import { toast } from "./ui/toast";

/**
 * The status moves the server allows this user on the order (`allowed_transitions`), with a
 * confirmation before cancelling. Every button is disabled while one move is being sent.
 */
export function OrderActions({ order, compact = false }: { order: Order; compact?: boolean }) {
  const queryClient = useQueryClient();
  const [error, setError] = useState<string | null>(null);
  const mutation = useMutation({
    mutationFn: (action: StatusAction) => api.updateOrderStatus(order.id, action.status),
    onMutate: () => setError(null),
    onSuccess: (updated) => {
      queryClient.setQueryData(keys.order(updated.id), updated);
      queryClient.invalidateQueries({ queryKey: ["seller"] });
      queryClient.invalidateQueries({ queryKey: keys.myOrders });
      queryClient.invalidateQueries({ queryKey: keys.checkout(updated.checkout_id) });
      toast(`Order ${STATUS_LABEL[updated.status].toLowerCase()}`);
    },
    onError: (err) => {
      setError(errorMessage(err));
      // The order may have moved on elsewhere (e.g. confirmed or cancelled): show its real state.
      queryClient.invalidateQueries({ queryKey: keys.order(order.id) });
      queryClient.invalidateQueries({ queryKey: ["seller", "orders"] });
    },
  });

  const actions = orderActions(order);
  if (actions.length === 0) return null;

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
