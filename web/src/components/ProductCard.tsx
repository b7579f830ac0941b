import { Plus } from "lucide-react";
import { formatGrams, perUnit } from "@/lib/money";
import { Link } from "react-router";
import type { Product } from "@/lib/api/models";
import { basket } from "@/lib/basket";
import { cn } from "@/lib/utils";
import { Price } from "./Price";
import { SellerLink } from "./SellerLink";
import { ProductImage } from "./ProductImage";
import { StockBadge } from "./StockBadge";
import { Button } from "./ui/button";
import { toast } from "./ui/toast";

export function ProductCard({ product }: { product: Product }) {
  const weighed = product.sold_by === "weight";
  const minWeight = product.min_weight_g ?? 1;
  const soldOut = weighed ? product.stock < minWeight : product.stock <= 0;
  return (
    <article className="group relative flex w-full flex-col overflow-hidden rounded-lg border bg-card shadow-sm" data-testid="product-card">
      <ProductImage src={product.images[0]} alt={product.name} className="aspect-square w-full" />
      <div className="flex flex-1 flex-col gap-1 p-3">
        <h3 className="line-clamp-2 text-sm font-semibold leading-snug">
          {/* The stretched link makes the whole card clickable while keeping one tab stop for it. */}
          <Link to={`/products/${product.id}`} className="after:absolute after:inset-0 after:content-['']" data-testid="product-link">
            {product.name}
          </Link>
        </h3>
        <p className="text-xs text-muted-foreground">
          {/* Above the card's stretched link, so it leads to the seller rather than the product. */}
          Sold by <SellerLink sellerId={product.seller_id} name={product.seller_name} className="relative z-10" />
        </p>
        <div className="mt-auto flex items-end justify-between gap-2 pt-2">
          <div className="grid">
            <Price amount={product.price} currency={product.currency} className="font-semibold" />
            <span className="text-xs text-muted-foreground">{weighed ? `per kg · from ${formatGrams(minWeight)}` : perUnit(product.unit)}</span>
            {!weighed && (
              <span className="text-xs text-muted-foreground" data-testid="unit-price">
                {product.unit_price.label}
              </span>
            )}
          </div>
          <Button
            size="icon"
            variant="secondary"
            className="relative z-10 size-11 shrink-0 sm:size-9"
            disabled={soldOut}
            aria-label={soldOut ? `${product.name} is out of stock` : weighed ? `Add ${formatGrams(minWeight)} of ${product.name} to basket` : `Add ${product.name} to basket`}
            data-testid="add-to-basket"
            onClick={() => {
              basket.add(product);
              toast("Added to basket", { description: weighed ? `${formatGrams(minWeight)} of ${product.name} — change the weight in your basket` : product.name });
            }}
          >
            <Plus aria-hidden="true" />
          </Button>
        </div>
        {(weighed ? product.stock < 1000 : product.stock <= 5) && (
          <div className="pt-1">
            <StockBadge stock={product.stock} weighed={weighed} minWeight={product.min_weight_g} />
          </div>
        )}
      </div>
    </article>
  );
}

export function ProductGrid({ products, updating = false }: { products: Product[]; updating?: boolean }) {
  return (
    <ul
      className={cn("grid grid-cols-2 gap-3 transition-opacity sm:gap-4 md:grid-cols-3 lg:grid-cols-4", updating && "opacity-60")}
      aria-busy={updating}
      data-testid="product-grid"
    >
      {products.map((product) => (
        <li key={product.id} className="flex">
          <ProductCard product={product} />
        </li>
      ))}
    </ul>
  );
}
