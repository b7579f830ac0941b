import { Check, CircleX } from "lucide-react";
import type { Order, OrderStatus } from "@/lib/api/models";
import { describeOrderWindow } from "@/lib/fulfilment";
import { FULFILMENT_STEPS, STATUS_LABEL, STATUS_TONE } from "@/lib/orders";
import { cn, formatDate } from "@/lib/utils";
import { Badge } from "./ui/badge";

export function StatusBadge({ status }: { status: OrderStatus }) {
  return (
    <Badge tone={STATUS_TONE[status]} data-testid="order-status" data-status={status}>
      {STATUS_LABEL[status]}
    </Badge>
  );
}

/**
 * The fulfilment steps with when each happened. A cancelled or failed order shows the steps it
 * reached and then where it stopped.
 */
export function OrderTimeline({ order }: { order: Order }) {
  const reachedAt = new Map<OrderStatus, string>();
  for (const change of order.status_history) reachedAt.set(change.status, change.at);
  if (!reachedAt.has("pending_payment")) reachedAt.set("pending_payment", order.created_at);

  const stopped = order.status === "cancelled" || order.status === "payment_failed";
  const currentIndex = FULFILMENT_STEPS.indexOf(order.status);
  const steps = stopped ? FULFILMENT_STEPS.filter((step) => reachedAt.has(step)) : FULFILMENT_STEPS;

  return (
    <ol className="grid gap-0" aria-label="Order progress" data-testid="order-timeline">
      {steps.map((step, index) => {
        const done = stopped ? true : index <= currentIndex;
        const current = !stopped && index === currentIndex;
        const at = reachedAt.get(step);
        return (
          <TimelineItem key={step} done={done} current={current} last={!stopped && index === steps.length - 1}>
            <span className={cn("font-medium", !done && "text-muted-foreground")}>{STATUS_LABEL[step]}</span>
            {current && <span className="sr-only"> (current status)</span>}
            {at && done && <span className="block text-xs text-muted-foreground">{formatDate(at, true)}</span>}
            {step === "out_for_delivery" && order.fulfilment && (
              <span className="block text-xs text-muted-foreground" data-testid="timeline-window">
                {describeOrderWindow(order.fulfilment)}
              </span>
            )}
          </TimelineItem>
        );
      })}
      {stopped && (
        <TimelineItem done current failed last>
          <span className="font-medium text-destructive">{STATUS_LABEL[order.status]}</span>
          <span className="sr-only"> (current status)</span>
          {reachedAt.get(order.status) && (
            <span className="block text-xs text-muted-foreground">{formatDate(reachedAt.get(order.status)!, true)}</span>
          )}
        </TimelineItem>
      )}
    </ol>
  );
}

function TimelineItem({
  done,
  current,
  failed = false,
  last,
  children,
}: {
  done: boolean;
  current: boolean;
  failed?: boolean;
  last: boolean;
  children: React.ReactNode;
}) {
  return (
    <li className="relative flex gap-3 pb-4 last:pb-0" aria-current={current ? "step" : undefined}>
      {!last && <span className={cn("absolute left-3 top-6 h-[calc(100%-1.5rem)] w-0.5", done ? "bg-primary" : "bg-slate-200")} aria-hidden="true" />}
      <span
        className={cn(
          "relative z-10 flex size-6 shrink-0 items-center justify-center rounded-full border-2",
          failed ? "border-destructive bg-destructive text-white" : done ? "border-primary bg-primary text-white" : "border-slate-300 bg-white",
          current && !failed && "ring-4 ring-green-100",
        )}
        aria-hidden="true"
      >
        {failed ? <CircleX className="size-4" /> : done ? <Check className="size-3.5" /> : null}
      </span>
      <div className="text-sm">{children}</div>
    </li>
  );
}
