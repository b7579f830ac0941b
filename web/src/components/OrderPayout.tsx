import type { Order, Payout, Refund } from "@/lib/api/models";
import { formatMoney } from "@/lib/money";
import { formatRate, PAYOUT_STATUS_LABEL, PAYOUT_STATUS_TONE } from "@/lib/payouts";
import { cn, formatDate } from "@/lib/utils";
import { Badge } from "./ui/badge";

/** What the order pays its seller: the charge, the commission at its rate, the net and what refunds took back. */
export function PayoutSummary({ payout, currency }: { payout: Payout; currency: string }) {
  return (
    <div className="grid gap-2 text-sm" data-testid="order-payout">
      <dl className="grid gap-1">
        <Line label="Gross (charged)" testId="payout-gross">{formatMoney(payout.gross, currency)}</Line>
        <Line label={`Commission (${formatRate(payout.commission_bps)})`} testId="payout-commission">
          −{formatMoney(payout.commission, currency)}
        </Line>
        <Line label="Net to the seller" testId="payout-net" strong>{formatMoney(payout.net, currency)}</Line>
        {payout.reversed !== "0.00" && (
          <Line label="Reversed by refunds" testId="payout-reversed">−{formatMoney(payout.reversed, currency)}</Line>
        )}
      </dl>
      <p className="flex flex-wrap items-center gap-2">
        <span className="text-muted-foreground">Payout:</span>
        <Badge tone={PAYOUT_STATUS_TONE[payout.status]} data-testid="payout-status" data-status={payout.status}>
          {PAYOUT_STATUS_LABEL[payout.status]}
        </Badge>
      </p>
    </div>
  );
}

function Line({ label, children, testId, strong = false }: { label: string; children: React.ReactNode; testId: string; strong?: boolean }) {
  return (
    <div className={cn("flex justify-between gap-2", strong && "font-semibold")}>
      <dt>{label}</dt>
      <dd className="tabular-nums" data-testid={testId}>{children}</dd>
    </div>
  );
}

/** The order's refunds, oldest first: "Refunded $X on <date>: <reason>", with whether it has reached the card. */
export function RefundsList({ order }: { order: Pick<Order, "refunds" | "currency"> }) {
  if (order.refunds.length === 0) return null;
  return (
    <ul className="grid gap-2 text-sm" aria-label="Refunds" data-testid="refunds">
      {order.refunds.map((refund) => (
        <RefundItem key={refund.number} refund={refund} currency={order.currency} />
      ))}
    </ul>
  );
}

function RefundItem({ refund, currency }: { refund: Refund; currency: string }) {
  return (
    <li className="flex flex-wrap items-start justify-between gap-2 rounded-md bg-green-50 px-3 py-2 text-green-950" data-testid="refund" data-status={refund.status}>
      <span className="min-w-0 break-words">
        <span className="font-semibold">Refunded {formatMoney(refund.amount, currency)}</span> on {formatDate(refund.at)}: {refund.reason}
      </span>
      <Badge tone={refund.status === "refunded" ? "green" : "blue"}>{refund.status === "refunded" ? "Refunded" : "Pending"}</Badge>
    </li>
  );
}
