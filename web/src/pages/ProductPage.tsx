import { Minus, Plus, Scale, ShoppingBasket } from "lucide-react";
import { formatCents, formatGrams, perUnit, toCents, weightCostCents } from "@/lib/money";
import { useState } from "react";
import { Link, useParams } from "react-router";
import { PageHeader } from "@/components/PageHeader";
import { SellerLink } from "@/components/SellerLink";
import { Price } from "@/components/Price";
import { ProductImage } from "@/components/ProductImage";
import { EmptyState, ErrorState, PageLoading } from "@/components/states";
import { StockBadge } from "@/components/StockBadge";
import { Button } from "@/components/ui/button";
import { toast } from "@/components/ui/toast";
import { isApiError } from "@/lib/api/errors";
import { basket, maxWeight, MAX_QUANTITY, snapshot, useBasket, weightRules } from "@/lib/basket";
import { WEIGHED_NOTE, WeightPicker } from "@/components/WeightPicker";
import type { Product } from "@/lib/api/models";
import { useProduct } from "@/lib/queries";
import { cn } from "@/lib/utils";
import { BackLink } from "@/components/BackLink";

export default function ProductPage() {
  const { id } = useParams();
  const product = useProduct(id);
  const lines = useBasket();
  const [quantity, setQuantity] = useState(1);
  const [photo, setPhoto] = useState(0);

  if (product.isPending) return <PageLoading label="Loading product…" />;
  if (product.isError) {
    if (isApiError(product.error) && product.error.status === 404) {
      return (
        <EmptyState
          title="This product isn't available"
          action={
            <Button asChild>
              <Link to="/products">Browse the catalog</Link>
            </Button>
          }
        >
          It may have been removed by its seller.
        </EmptyState>
      );
    }
    return <ErrorState error={product.error} onRetry={() => product.refetch()} />;
  }

  const item = product.data;
  if (item.sold_by === "weight") return <ProductLayout item={item} photo={photo} setPhoto={setPhoto} buy={<WeighedBuyBox item={item} />} />;
  const inBasket = lines.find((line) => line.product.id === item.id)?.quantity ?? 0;
  const maxAddable = Math.max(0, Math.min(item.stock, MAX_QUANTITY) - inBasket);
  const soldOut = item.stock <= 0;
  const buy = (
    <>
      {soldOut ? (
        <p className="text-muted-foreground">This product is out of stock right now. Try another seller's in the catalog.</p>
      ) : (
        <div className="flex flex-wrap items-center gap-3">
          <div className="flex items-center rounded-md border" role="group" aria-label="Quantity">
            <Button variant="ghost" size="icon" aria-label="Decrease quantity" onClick={() => setQuantity((q) => Math.max(1, q - 1))} disabled={quantity <= 1}>
              <Minus aria-hidden="true" />
            </Button>
            <span className="w-10 text-center tabular-nums" aria-live="polite" data-testid="quantity">
              {quantity}
            </span>
            <Button
              variant="ghost"
              size="icon"
              aria-label="Increase quantity"
              onClick={() => setQuantity((q) => Math.min(Math.max(1, maxAddable), q + 1))}
              disabled={quantity >= maxAddable}
            >
              <Plus aria-hidden="true" />
            </Button>
          </div>
          <Button
            size="lg"
            disabled={maxAddable <= 0}
            data-testid="add-to-basket"
            onClick={() => {
              basket.add(item, Math.min(quantity, maxAddable));
              toast("Added to basket", { description: `${Math.min(quantity, maxAddable)} × ${item.name}` });
              setQuantity(1);
            }}
          >
            <ShoppingBasket aria-hidden="true" /> Add to basket
          </Button>
        </div>
      )}
      {inBasket > 0 && (
        <p className="text-sm text-muted-foreground" data-testid="in-basket">
          {inBasket} in your basket · <Link to="/basket" className="font-medium text-primary hover:underline">View basket</Link>
          {maxAddable <= 0 && !soldOut && " · That's all the seller has."}
        </p>
      )}
    </>
  );
  return <ProductLayout item={item} photo={photo} setPhoto={setPhoto} buy={buy} />;
}

/** Photos, name, price (with the comparable unit price), description, and the buying controls. */
function ProductLayout({ item, photo, setPhoto, buy }: { item: Product; photo: number; setPhoto: (index: number) => void; buy: React.ReactNode }) {
  const images = item.images.length ? item.images : [null];
  const current = images[Math.min(photo, images.length - 1)];
  const weighed = item.sold_by === "weight";
  return (
    <div>
      <BackLink to="/products" className="mb-4">Back to catalog</BackLink>
      <div className="grid gap-8 md:grid-cols-2">
        <div className="grid gap-3">
          <ProductImage src={current} alt={item.name} className="aspect-square w-full rounded-lg border" />
          {item.images.length > 1 && (
            <div className="flex gap-2 overflow-x-auto" role="group" aria-label="Photos">
              {item.images.map((src, index) => (
                <button
                  key={src}
                  type="button"
                  onClick={() => setPhoto(index)}
                  aria-label={`Show photo ${index + 1} of ${item.images.length}`}
                  aria-pressed={index === photo}
                  className={cn("size-16 shrink-0 overflow-hidden rounded-md border-2", index === photo ? "border-primary" : "border-transparent")}
                >
                  <img src={src} alt="" className="size-full object-cover" />
                </button>
              ))}
            </div>
          )}
        </div>

        <div className="grid content-start gap-4">
          <PageHeader title={item.name} description={
              <>
                Sold by <SellerLink sellerId={item.seller_id} name={item.seller_name} className="font-medium text-foreground underline-offset-2" />
              </>
            } />
          <div className="-mt-4 flex flex-wrap items-baseline gap-3">
            <Price amount={item.price} currency={item.currency} className="text-3xl font-bold" />
            <span className="text-muted-foreground">{weighed ? "per kg" : perUnit(item.unit)}</span>
            {!weighed && (
              <span className="text-sm text-muted-foreground" data-testid="unit-price">
                ({item.unit_price.label})
              </span>
            )}
            <StockBadge stock={item.stock} weighed={weighed} minWeight={item.min_weight_g} />
          </div>
          {item.description && <p className="whitespace-pre-line text-foreground">{item.description}</p>}
          {buy}
        </div>
      </div>
    </div>
  );
}

/** A weighed product: choose a weight in its steps, see the estimate, add it. */
function WeighedBuyBox({ item }: { item: Product }) {
  const lines = useBasket();
  const rules = snapshot(item);
  const { min } = weightRules(rules);
  const inBasket = lines.find((line) => line.product.id === item.id)?.weight_g ?? 0;
  const left = Math.max(0, maxWeight(rules) - inBasket);
  const [grams, setGrams] = useState(min);
  const chosen = Math.min(grams, Math.max(min, left - (left % (rules.step_g ?? 1))));
  const soldOut = maxWeight(rules) < min;
  const estimate = formatCents(weightCostCents(toCents(item.price), chosen), item.currency);
  return (
    <div className="grid gap-3" data-testid="weighed-buy">
      {soldOut ? (
        <p className="text-muted-foreground">This product is out of stock right now. Try another seller's in the catalog.</p>
      ) : (
        <>
          <div className="flex flex-wrap items-center gap-3">
            <WeightPicker product={rules} value={chosen} onChange={setGrams} label={`Weight of ${item.name}`} ceiling={left} />
            <p className="text-sm">
              <span className="text-muted-foreground">Estimate </span>
              <span className="font-semibold tabular-nums" data-testid="weight-estimate">
                {estimate}
              </span>
            </p>
          </div>
          <p className="flex items-center gap-1.5 text-sm text-amber-900" data-testid="weighed-note">
            <Scale className="size-4 shrink-0" aria-hidden="true" /> {WEIGHED_NOTE} Sold from {formatGrams(min)} in steps of {formatGrams(rules.step_g ?? 1)}.
          </p>
          <Button
            size="lg"
            className="justify-self-start"
            disabled={left < min}
            data-testid="add-to-basket"
            onClick={() => {
              basket.add(item, chosen);
              toast("Added to basket", { description: `${formatGrams(chosen)} of ${item.name} · est. ${estimate}` });
              setGrams(min);
            }}
          >
            <ShoppingBasket aria-hidden="true" /> Add {formatGrams(chosen)} to basket
          </Button>
        </>
      )}
      {inBasket > 0 && (
        <p className="text-sm text-muted-foreground" data-testid="in-basket">
          {formatGrams(inBasket)} in your basket · <Link to="/basket" className="font-medium text-primary hover:underline">View basket</Link>
          {left < min && !soldOut && " · That's all the seller has."}
        </p>
      )}
    </div>
  );
}
