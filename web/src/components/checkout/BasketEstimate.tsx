import { basketAuthorisedCents, basketTotalCents, hasWeighedLines, type BasketLine } from "@/lib/basket";
import { holdExplanation } from "@/lib/checkouts";
import { formatCents } from "@/lib/money";

/**
 * Before checkout: the estimate (with the chosen delivery fees), what the card will be authorised for (the estimate plus the margin
 * on weighed lines, per seller) and why. The checkout's own answer is the last word.
 */
export function BasketEstimate({ lines, feesCents = 0, showFees = false }: { lines: BasketLine[]; feesCents?: number; showFees?: boolean }) {
  if (lines.length === 0) return null;
  const currency = lines[0].product.currency;
  const estimate = basketTotalCents(lines) + feesCents;
  const authorised = basketAuthorisedCents(lines) + feesCents;
  return (
    <div className="grid gap-2 rounded-lg border bg-card p-4 text-sm" data-testid="basket-estimate">
      <dl className="grid gap-1">
        {showFees && (
          <div className="flex justify-between gap-2">
            <dt>Delivery fees</dt>
            <dd className="tabular-nums" data-testid="estimate-fees">{feesCents > 0 ? formatCents(feesCents, currency) : "Free"}</dd>
          </div>
        )}
        <div className="flex justify-between gap-2">
          <dt>Estimated total</dt>
          <dd className="tabular-nums" data-testid="estimate-total">{formatCents(estimate, currency)}</dd>
        </div>
        <div className="flex justify-between gap-2 font-semibold">
          <dt>Authorised on your card</dt>
          <dd className="tabular-nums" data-testid="estimate-authorised">{formatCents(authorised, currency)}</dd>
        </div>
      </dl>
      <p className="text-xs text-muted-foreground" data-testid="estimate-explanation">
        {holdExplanation(authorised, estimate, currency, hasWeighedLines(lines))}
      </p>
    </div>
  );
}
