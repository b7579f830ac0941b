import { ShoppingBasket } from "lucide-react";
import { Link } from "react-router";
import { BasketLines } from "@/components/BasketLines";
import { PageHeader } from "@/components/PageHeader";
import { EmptyState } from "@/components/states";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { useAuth } from "@/lib/auth";
import { basketAuthorisedCents, basketCount, basketTotalCents, groupBySeller, hasWeighedLines, useBasket } from "@/lib/basket";
import { holdExplanation } from "@/lib/checkouts";
import { useBasketCheck } from "@/lib/basketCheck";
import { basketBySeller } from "@/lib/fulfilment";
import { formatCents } from "@/lib/money";
import { useSlotsFor } from "@/lib/queries";
import { plural } from "@/lib/counts";

export default function BasketPage() {
  const lines = useBasket();
  const { user } = useAuth();
  const { issues, hasIssues, checking } = useBasketCheck(lines);
  const sellerIds = groupBySeller(lines).map((group) => group.sellerId);
  const slots = useSlotsFor(sellerIds);

  if (lines.length === 0) {
    return (
      <>
        <PageHeader title="Your basket" />
        <EmptyState
          title="Your basket is empty"
          icon={<ShoppingBasket className="size-10" />}
          action={
            <Button asChild>
              <Link to="/products">Start shopping</Link>
            </Button>
          }
        >
          Add groceries from any seller — they all check out together.
        </EmptyState>
      </>
    );
  }

  const currency = lines[0].product.currency;
  const sellers = sellerIds.length;
  const bySeller = basketBySeller(lines, slots.bySeller);
  const terms = Object.fromEntries(bySeller.map((group) => [group.sellerId, group]));
  const failed = Object.fromEntries(Object.keys(slots.errors).map((sellerId) => [sellerId, true]));
  const goodsCents = basketTotalCents(lines);
  const feesCents = bySeller.reduce((sum, group) => sum + group.deliveryFeeCents, 0);
  const delivering = bySeller.some((group) => group.methods.includes("delivery"));
  const belowMinimum = bySeller.filter((group) => group.shortfallCents > 0);
  const checkoutHref = user ? "/checkout" : `/login?next=${encodeURIComponent("/checkout")}`;

  return (
    <>
      <PageHeader title="Your basket" description={`${plural(basketCount(lines), "item")} from ${plural(sellers, "seller")}`} />
      <div className="grid gap-6 lg:grid-cols-[1fr_20rem]">
        <div className="grid content-start gap-4">
          {hasIssues && (
            <Alert tone="error" title="Some items need your attention">
              Stock has changed since you added them. Adjust the highlighted lines to continue.
            </Alert>
          )}
          <BasketLines lines={lines} issues={issues} sellerTerms={terms} termsFailed={failed} />
        </div>
        <Card className="h-fit lg:sticky lg:top-24">
          <CardHeader>
            <CardTitle>Summary</CardTitle>
          </CardHeader>
          <CardContent className="grid gap-3">
            <dl className="grid gap-1 text-sm">
              <div className="flex justify-between">
                <dt>Groceries</dt>
                <dd className="tabular-nums" data-testid="basket-subtotal">
                  {formatCents(goodsCents, currency)}
                </dd>
              </div>
              {delivering && (
                <div className="flex justify-between">
                  <dt>Delivery fees</dt>
                  <dd className="tabular-nums" data-testid="basket-fees">
                    {feesCents > 0 ? formatCents(feesCents, currency) : "Free"}
                  </dd>
                </div>
              )}
              <div className="flex justify-between font-semibold">
                <dt>Estimated total</dt>
                <dd className="tabular-nums" data-testid="basket-total">
                  {formatCents(goodsCents + feesCents, currency)}
                </dd>
              </div>
            </dl>
            {delivering && (
              <p className="text-xs text-muted-foreground" data-testid="basket-fees-note">
                Fees assume delivery; pickup is free. You choose a delivery or pickup window for each seller at checkout.
              </p>
            )}
            {belowMinimum.length > 0 && (
              <p className="text-xs text-amber-900" data-testid="basket-minimum-note">
                Below the delivery minimum of {belowMinimum.map((group) => group.sellerName).join(" and ")}.
              </p>
            )}
            {hasWeighedLines(lines) && (
              <p className="text-xs text-muted-foreground" data-testid="basket-weighed-note">
                Weighed items are priced by what the seller packs, so your final total may differ a little.
              </p>
            )}
            <p className="text-xs text-muted-foreground" data-testid="basket-hold-note">
              {holdExplanation(basketAuthorisedCents(lines) + feesCents, goodsCents + feesCents, currency, hasWeighedLines(lines))}
            </p>
            {sellers > 1 && (
              <p className="text-xs text-muted-foreground">
                You'll pay once; each of the {sellers} sellers gets their own order and delivers separately.
              </p>
            )}
            <Button asChild size="lg" className={hasIssues ? "pointer-events-none opacity-60" : undefined}>
              <Link to={checkoutHref} aria-disabled={hasIssues} tabIndex={hasIssues ? -1 : undefined} data-testid="go-to-checkout">
                {user ? "Checkout" : "Log in to check out"}
              </Link>
            </Button>
            {checking && <p className="text-xs text-muted-foreground">Checking stock…</p>}
          </CardContent>
        </Card>
      </div>
    </>
  );
}
