import { basketAuthorisedCents, basketTotalCents, hasWeighedLines, type BasketLine } from "@/lib/basket";
import { holdExplanation } from "@/lib/checkouts";
import { formatCents } from "@/lib/money";

/**
 * Before checkout: the estimate, what the card will be authorised for (the estimate plus the margin
 * on weighed lines, per seller) and why. The checkout's own answer is the last word.
 */
export function BasketEstimate({ lines }: { lines: BasketLine[] }) {
  if (lines.length === 0) return null;
  const currency = lines[0].product.currency;
  const estimate = basketTotalCents(lines);
  const authorised = basketAuthorisedCents(lines);
  return (
    <div className="grid gap-2 rounded-lg border bg-card p-4 text-sm" data-testid="basket-estimate">
      <dl className="grid gap-1">
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
