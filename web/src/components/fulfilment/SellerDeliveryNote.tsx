import { AlertTriangle, MapPin, Truck } from "lucide-react";
import { Progress } from "@/components/ui/progress";
import type { SellerBasketTerms } from "@/lib/fulfilment";
import { formatCents, formatMoney } from "@/lib/money";

/**
 * Under a seller's lines in the basket: how they deliver (fee, pickup place), how far the basket is
 * from their free delivery, and whether it is below their minimum for delivery.
 */
export function SellerDeliveryNote({ group, currency, failed = false }: { group: SellerBasketTerms; currency: string; failed?: boolean }) {
  const { sellerName, terms, methods, deliveryFeeCents, shortfallCents, progress } = group;
  if (terms === undefined) {
    return (
      <p className="px-4 py-3 text-sm text-muted-foreground" data-testid="seller-terms" data-state={failed ? "unknown" : "loading"}>
        {failed ? "We couldn't load this seller's delivery options; you'll see them at checkout." : "Checking delivery options…"}
      </p>
    );
  }
  if (terms === null) {
    return (
      <p className="flex items-center gap-2 px-4 py-3 text-sm text-muted-foreground" data-testid="seller-terms" data-state="own">
        <Truck className="size-4 shrink-0" aria-hidden="true" /> Delivery arranged by {sellerName}. No delivery fee.
      </p>
    );
  }
  const delivers = methods.includes("delivery");
  const pickup = terms.pickup;
  return (
    <div className="grid gap-2 px-4 py-3 text-sm" data-testid="seller-terms" data-state="windows">
      <p className="flex flex-wrap items-center gap-x-3 gap-y-1 text-muted-foreground">
        {delivers && (
          <span className="inline-flex items-center gap-1" data-testid="seller-delivery-fee">
            <Truck className="size-4 shrink-0" aria-hidden="true" />
            {deliveryFeeCents > 0 ? <>Delivery {formatCents(deliveryFeeCents, currency)}</> : <>Free delivery</>}
          </span>
        )}
        {pickup && (
          <span className="inline-flex items-center gap-1">
            <MapPin className="size-4 shrink-0" aria-hidden="true" />
            {delivers ? "or free pickup" : "Pickup only, free"} at {pickup.address}
          </span>
        )}
      </p>
      {progress && !progress.reached && shortfallCents === 0 && (
        <div className="grid gap-1" data-testid="free-delivery-progress">
          <p>
            Add <strong>{formatCents(progress.remainingCents, currency)}</strong> from {sellerName} for free delivery
          </p>
          <Progress value={progress.percent} label={`Towards free delivery from ${sellerName}`} />
        </div>
      )}
      {progress?.reached && (
        <p className="font-medium text-green-800" data-testid="free-delivery-reached">
          You get free delivery from {sellerName}.
        </p>
      )}
      {shortfallCents > 0 && terms.delivery && (
        <p className="flex items-start gap-2 rounded-md bg-amber-50 px-3 py-2 text-amber-900" data-testid="below-minimum">
          <AlertTriangle className="mt-0.5 size-4 shrink-0" aria-hidden="true" />
          <span>
            Below {sellerName}'s {formatMoney(terms.delivery.min_order, currency)} minimum for delivery: add{" "}
            <strong>{formatCents(shortfallCents, currency)}</strong> more{pickup ? ", or choose pickup at checkout" : ""}.
          </span>
        </p>
      )}
    </div>
  );
}
