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
import { formatCents } from "@/lib/money";

export default function BasketPage() {
  const lines = useBasket();
  const { user } = useAuth();
  const { issues, hasIssues, checking } = useBasketCheck(lines);

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
  const sellers = groupBySeller(lines).length;
  const checkoutHref = user ? "/checkout" : `/login?next=${encodeURIComponent("/checkout")}`;

  return (
    <>
      <PageHeader title="Your basket" description={`${basketCount(lines)} items from ${sellers} seller${sellers === 1 ? "" : "s"}`} />
      <div className="grid gap-6 lg:grid-cols-[1fr_20rem]">
        <div className="grid content-start gap-4">
          {hasIssues && (
            <Alert tone="error" title="Some items need your attention">
              Stock has changed since you added them. Adjust the highlighted lines to continue.
            </Alert>
          )}
          <BasketLines lines={lines} issues={issues} />
        </div>
        <Card className="h-fit lg:sticky lg:top-24">
          <CardHeader>
            <CardTitle>Summary</CardTitle>
          </CardHeader>
          <CardContent className="grid gap-3">
            <div className="flex justify-between text-sm">
              <span>Estimated total</span>
              <span className="font-semibold tabular-nums" data-testid="basket-subtotal">
                {formatCents(basketTotalCents(lines), currency)}
              </span>
            </div>
            {hasWeighedLines(lines) && (
              <p className="text-xs text-muted-foreground" data-testid="basket-weighed-note">
                Weighed items are priced by what the seller packs, so your final total may differ a little.
              </p>
            )}
            <p className="text-xs text-muted-foreground" data-testid="basket-hold-note">
              {holdExplanation(basketAuthorisedCents(lines), basketTotalCents(lines), currency, hasWeighedLines(lines))}
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
