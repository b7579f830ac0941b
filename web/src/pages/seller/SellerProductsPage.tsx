import { useMutation, useQueryClient } from "@tanstack/react-query";
import { perUnit } from "@/lib/money";
import { Pencil, Plus } from "lucide-react";
import { useState, type FormEvent } from "react";
import { Link } from "react-router";
import { PageHeader } from "@/components/PageHeader";
import { Price } from "@/components/Price";
import { ProductImage } from "@/components/ProductImage";
import { EmptyState, ErrorState, LoadMore } from "@/components/states";
import { StockBadge } from "@/components/StockBadge";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { Input } from "@/components/ui/input";
import { stockProblem } from "@/lib/validation";
import { toast } from "@/components/ui/toast";
import { api } from "@/lib/api";
import { errorMessage, staleProduct } from "@/lib/api/errors";
import type { Product } from "@/lib/api/models";
import { categoryName } from "@/lib/categories";
import { keys, useMyProductPages } from "@/lib/queries";

export default function SellerProductsPage() {
  const products = useMyProductPages({ sort: "newest", limit: 50 });
  const items = products.data?.pages.flatMap((page) => page.items) ?? [];

  return (
    <>
      <PageHeader
        title="Your products"
        description="Edit details, keep stock up to date and add photos."
        actions={
          <Button asChild data-testid="new-product">
            <Link to="/seller/products/new">
              <Plus aria-hidden="true" /> New product
            </Link>
          </Button>
        }
      />
      {products.isPending ? (
        <p className="text-muted-foreground">Loading your products…</p>
      ) : products.isError ? (
        <ErrorState error={products.error} onRetry={() => products.refetch()} title="Your products could not be loaded" />
      ) : items.length === 0 ? (
        <EmptyState
          title="You haven't listed anything yet"
          action={
            <Button asChild>
              <Link to="/seller/products/new">List your first product</Link>
            </Button>
          }
        >
          Add a product with a price, stock and a photo, and shoppers can buy it straight away.
        </EmptyState>
      ) : (
        <>
          <ul className="grid gap-3" data-testid="seller-products">
            {items.map((product) => (
              <ProductRow key={product.id} product={product} />
            ))}
          </ul>
          <LoadMore hasMore={Boolean(products.hasNextPage)} loading={products.isFetchingNextPage} onLoadMore={() => products.fetchNextPage()} />
        </>
      )}
    </>
  );
}

function ProductRow({ product: listed }: { product: Product }) {
  const queryClient = useQueryClient();
  // The version this row shows and edits: the listing's, unless we hold a newer one (our own save, or
  // the current product a refused save brought back); a listing can be a CDN copy up to 30 s old.
  const [product, setProduct] = useState(listed);
  const [stock, setStock] = useState(String(product.stock));
  // A new listing is looked at once, while rendering: a newer version replaces the row's.
  const [seenListed, setSeenListed] = useState(listed);
  if (seenListed !== listed) {
    setSeenListed(listed);
    if (listed.etag !== product.etag && listed.updated_at >= product.updated_at) {
      if (stock === String(product.stock)) setStock(String(listed.stock)); // untouched input follows
      setProduct(listed);
    }
  }
  const [error, setError] = useState<string | null>(null);
  const stockIssue = stock === "" ? undefined : stockProblem(stock, product.sold_by === "weight");
  const stockValid = stock !== "" && !stockIssue;
  const stockChanged = stockValid && Number(stock) !== product.stock;

  const saveStock = useMutation({
    // The new stock is only right against the stock this row showed: If-Match names that version.
    mutationFn: () => api.updateProduct(product.id, { stock: Number(stock) }, product.etag),
    onMutate: () => setError(null),
    onSuccess: (updated) => {
      setProduct(updated);
      queryClient.setQueryData(keys.product(updated.id), updated);
      queryClient.invalidateQueries({ queryKey: keys.allProducts });
      toast("Stock updated", { description: `${updated.name}: ${updated.stock}` });
    },
    onError: (err) => {
      const current = staleProduct(err);
      if (!current) return setError(errorMessage(err));
      setProduct(current);
      setStock(String(current.stock));
      setError(`The stock changed meanwhile (a sale or another edit): it is ${current.stock} now, not ${product.stock}. Nothing was saved; enter the new stock again.`);
    },
  });

  const deactivate = useMutation({
    mutationFn: () => api.deleteProduct(product.id),
    onSuccess: () => {
      queryClient.invalidateQueries({ queryKey: keys.allProducts });
      queryClient.invalidateQueries({ queryKey: keys.categories });
      toast("Product deactivated", { description: `${product.name} is no longer for sale.` });
    },
    onError: (err) => setError(errorMessage(err)),
  });

  function submitStock(event: FormEvent) {
    event.preventDefault();
    if (stockChanged) saveStock.mutate();
  }

  return (
    <li className="flex flex-wrap items-center gap-4 rounded-lg border bg-card p-3" data-testid="seller-product-row">
      <ProductImage src={product.images[0]} alt="" className="size-16 shrink-0 rounded-md" />
      <div className="grid min-w-40 flex-1 gap-1">
        <div className="flex flex-wrap items-center gap-2">
          <Link to={`/seller/products/${product.id}`} className="font-semibold hover:underline">
            {product.name}
          </Link>
          {!product.is_active && <Badge tone="neutral">Inactive</Badge>}
          <StockBadge stock={product.stock} weighed={product.sold_by === "weight"} minWeight={product.min_weight_g} />
          {product.sold_by === "weight" && <Badge tone="blue">Sold by weight</Badge>}
        </div>
        <p className="text-sm text-muted-foreground">
          <Price amount={product.price} currency={product.currency} /> {product.sold_by === "weight" ? "per kg" : perUnit(product.unit)} · {categoryName(product.category)} · {product.images.length} photo
          {product.images.length === 1 ? "" : "s"}
        </p>
        {error && (
          <p role="alert" className="text-sm text-destructive">
            {error}
          </p>
        )}
      </div>
      <form onSubmit={submitStock} className="flex items-start gap-2">
        <div className="grid gap-1">
          <label htmlFor={`stock-${product.id}`} className="text-xs font-medium">
            {product.sold_by === "weight" ? "Stock (g)" : "Stock"}
          </label>
          <Input
            id={`stock-${product.id}`}
            inputMode="numeric"
            className="h-11 w-24 sm:h-9"
            value={stock}
            onChange={(event) => setStock(event.target.value.trim())}
            aria-invalid={Boolean(stockIssue) || undefined}
            aria-describedby={stockIssue ? `stock-${product.id}-error` : undefined}
          />
          {stockIssue && (
            <p id={`stock-${product.id}-error`} className="max-w-48 text-xs text-destructive" data-testid="stock-error">
              {stockIssue}
            </p>
          )}
        </div>
        <Button type="submit" size="sm" variant="outline" disabled={!stockChanged} loading={saveStock.isPending}>
          Save<span className="sr-only"> stock for {product.name}</span>
        </Button>
      </form>
      <div className="flex gap-2">
        <Button asChild size="sm" variant="ghost">
          <Link to={`/seller/products/${product.id}`} aria-label={`Edit ${product.name}`}>
            <Pencil aria-hidden="true" /> Edit
          </Link>
        </Button>
        {product.is_active && (
          <ConfirmDialog
            trigger={
              <Button size="sm" variant="ghost" className="text-destructive" aria-label={`Deactivate ${product.name}`}>
                Deactivate
              </Button>
            }
            title={`Deactivate ${product.name}?`}
            description="It disappears from the catalog and from this list. Orders already placed are not affected. To pause sales for a while, set its stock to 0 instead."
            confirmLabel="Deactivate"
            cancelLabel="Keep selling"
            destructive
            onConfirm={() => deactivate.mutateAsync()}
          />
        )}
      </div>
    </li>
  );
}
