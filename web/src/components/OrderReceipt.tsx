import { Repeat, Scale } from "lucide-react";
import type { Order, OrderLine } from "@/lib/api/models";
import { formatCents, formatMoney, toCents } from "@/lib/money";
import { describeLine, isPackedLine, linePriceLabel, orderMoney, PAYMENT_STATUS_HINT, PAYMENT_STATUS_LABEL } from "@/lib/orders";
import { cn } from "@/lib/utils";
import { Badge } from "./ui/badge";

/**
 * An order's lines as a receipt: what was ordered and, once packed, what was packed, substituted
 * and what each line costs in the end. Before packing, a weighed line's amount is an estimate.
 */
export function OrderLines({ order }: { order: Order }) {
  return (
    <ul className="divide-y" aria-label="Items in this order" data-testid="order-lines">
      {order.items.map((line) => (
        <OrderLineRow key={line.line_id || line.product_id} line={line} currency={order.currency} />
      ))}
    </ul>
  );
}

export function OrderLineRow({ line, currency }: { line: OrderLine; currency: string }) {
  const packed = isPackedLine(line);
  const weighed = line.sold_by === "weight";
  const final = line.final_total;
  const changed = packed && final !== null && final !== line.line_total;
  return (
    <li className="grid gap-1 py-3 first:pt-0 last:pb-0 sm:grid-cols-[1fr_auto] sm:gap-4" data-testid="order-line" data-line-id={line.line_id}>
      <div className="grid min-w-0 gap-0.5">
        <p className="font-medium">{line.name}</p>
        <p className="text-xs text-muted-foreground">
          {linePriceLabel(line, currency)}
          {line.substitution === "similar" && (
            <span className="ml-2 inline-flex items-center gap-1">
              <Repeat className="size-3" aria-hidden="true" /> Substitutes allowed
            </span>
          )}
        </p>
        <p className="text-sm" data-testid="line-description">
          {describeLine(line)}
        </p>
        {line.substitute && (
          <p className="text-xs text-muted-foreground" data-testid="line-substitute">
            {line.substitute.name} charged at {formatMoney(line.substitute.unit_price, currency)}
            {weighed ? "/kg" : " each"}: {formatMoney(line.substitute.line_total, currency)}
          </p>
        )}
        {weighed && !packed && (
          <p className="flex items-center gap-1 text-xs text-amber-900">
            <Scale className="size-3" aria-hidden="true" /> Final price follows the packed weight.
          </p>
        )}
      </div>
      <div className="text-sm sm:text-right" data-testid="line-amount">
        {packed && final !== null ? (
          <>
            {changed && (
              <span className="mr-2 text-xs text-muted-foreground line-through sm:mr-0 sm:block" aria-label={`Estimate ${formatMoney(line.line_total, currency)}`}>
                {formatMoney(line.line_total, currency)}
              </span>
            )}
            <span className="font-semibold tabular-nums" data-testid="line-final">
              {formatMoney(final, currency)}
            </span>
          </>
        ) : (
          <span className="tabular-nums">
            {weighed && <span className="text-xs text-muted-foreground">est. </span>}
            {formatMoney(line.line_total, currency)}
          </span>
        )}
      </div>
    </li>
  );
}

/** Estimate, hold, final charge and what was released, with the payment in words. */
export function OrderTotals({ order }: { order: Order }) {
  const { estimatedCents, authorisedCents, finalCents, releasedCents } = orderMoney(order);
  const currency = order.currency;
  const held = order.payment_status !== "unpaid" && order.payment_status !== "failed";
  return (
    <div className="grid gap-2 text-sm" data-testid="order-totals">
      <dl className="grid gap-1">
        {(order.fulfilment?.method === "delivery" || toCents(order.delivery_fee) > 0) && (
          <Row label="Delivery fee" testId="order-delivery-fee">
            {toCents(order.delivery_fee) > 0 ? formatMoney(order.delivery_fee, currency) : "Free"}
          </Row>
        )}
        {order.fulfilment?.method === "pickup" && (
          <Row label="Pickup" testId="order-delivery-fee">
            Free
          </Row>
        )}
        <Row label="Estimated total" testId="order-estimate" muted={finalCents !== null}>
          {formatCents(estimatedCents, currency)}
        </Row>
        {held && (
          <Row label="Authorised (held on card)" testId="order-authorised" muted={finalCents !== null}>
            {formatCents(authorisedCents, currency)}
          </Row>
        )}
        {finalCents !== null && (
          <Row label="Final charge" testId="order-final" strong>
            {formatCents(finalCents, currency)}
          </Row>
        )}
        {order.refunded && order.refunded !== "0.00" && (
          <Row label="Refunded" testId="order-refunded">
            −{formatMoney(order.refunded, currency)}
          </Row>
        )}
      </dl>
      {releasedCents !== null && releasedCents > 0 && (
        <p className="rounded-md bg-green-50 px-3 py-2 text-green-900" data-testid="order-released">
          {formatCents(releasedCents, currency)} released from the hold
        </p>
      )}
      <p className="flex flex-wrap items-center gap-2" data-testid="payment-status" data-status={order.payment_status}>
        <span className="text-muted-foreground">Payment:</span>
        <Badge tone={order.payment_status === "captured" ? "green" : order.payment_status === "partially_refunded" || order.payment_status === "refunded" ? "violet" : order.payment_status === "failed" ? "red" : order.payment_status === "authorized" ? "blue" : "neutral"}>
          {PAYMENT_STATUS_LABEL[order.payment_status]}
        </Badge>
      </p>
      <p className="text-xs text-muted-foreground">{PAYMENT_STATUS_HINT[order.payment_status]}</p>
    </div>
  );
}

function Row({ label, children, testId, strong = false, muted = false }: { label: string; children: React.ReactNode; testId: string; strong?: boolean; muted?: boolean }) {
  return (
    <div className={cn("flex justify-between gap-2", strong && "text-base font-semibold", muted && "text-muted-foreground")}>
      <dt>{label}</dt>
      <dd className="tabular-nums" data-testid={testId}>
        {children}
      </dd>
    </div>
  );
}
