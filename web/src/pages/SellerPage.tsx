import { Store, Truck } from "lucide-react";
import { Link, useParams } from "react-router";
import { ProductGrid } from "@/components/ProductCard";
import { PageHeader } from "@/components/PageHeader";
import { EmptyState, ErrorState, LoadMore, ProductGridSkeleton } from "@/components/states";
import { Button } from "@/components/ui/button";
import { Card, CardContent } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";
import { useDocumentTitle } from "@/lib/hooks";
import { useProductPages, useSellerPage } from "@/lib/queries";
import { offerSummary } from "@/lib/sellerPage";

/** A seller's public page: who they are, how they get orders to shoppers, and everything they sell. */
export default function SellerPage() {
  const { id = "" } = useParams();
  const seller = useSellerPage(id);
  // The catalog's seller filter, newest first, paged by keyset like every catalog listing.
  const products = useProductPages({ seller_id: id, sort: "newest", limit: 24 });
  useDocumentTitle(seller.data ? seller.data.name : undefined);

  if (seller.isPending) {
    return (
      <div className="grid gap-4" aria-busy="true" aria-label="Loading the seller">
        <Skeleton className="h-10 w-64" />
        <Skeleton className="h-24" />
        <ProductGridSkeleton count={4} />
      </div>
    );
  }
  if (seller.isError) return <ErrorState error={seller.error} onRetry={() => seller.refetch()} title="This seller could not be loaded" />;
  if (seller.data === null) {
    return (
      <EmptyState
        title="We couldn't find this seller"
        icon={<Store className="size-10" />}
        action={
          <Button asChild>
            <Link to="/products">Browse groceries</Link>
          </Button>
        }
      >
        They may not be selling right now. Their products are not in the catalog either.
      </EmptyState>
    );
  }

  const page = seller.data;
  const items = products.data?.pages.flatMap((p) => p.items) ?? [];
  const currency = items[0]?.currency ?? "usd";
  return (
    <>
      <PageHeader title={page.name} description="Independent seller on SmartGrocer" />
      <div className="mb-8 grid gap-4 md:grid-cols-[2fr_1fr]">
        <section aria-labelledby="seller-about" className="grid content-start gap-2">
          <h2 id="seller-about" className="text-lg font-semibold">
            About
          </h2>
          {page.about ? (
            <p className="whitespace-pre-line" data-testid="seller-about">
              {page.about}
            </p>
          ) : (
            <p className="text-muted-foreground" data-testid="seller-about">
              {page.name} has not written about their shop yet.
            </p>
          )}
        </section>
        <Card>
          <CardContent className="grid gap-2 pt-5" data-testid="seller-offer">
            <h2 className="flex items-center gap-2 font-semibold">
              <Truck className="size-5 text-primary" aria-hidden="true" /> Delivery &amp; pickup
            </h2>
            <ul className="grid gap-1 text-sm">
              {offerSummary(page, currency).map((line) => (
                <li key={line}>{line}</li>
              ))}
            </ul>
            {page.timezone && <p className="text-sm text-muted-foreground">Window times are in {page.timezone}.</p>}
          </CardContent>
        </Card>
      </div>
      <section aria-labelledby="seller-products">
        <h2 id="seller-products" className="mb-3 text-lg font-semibold">
          Products from {page.name}
        </h2>
        {products.isPending ? (
          <ProductGridSkeleton count={8} />
        ) : products.isError ? (
          <ErrorState error={products.error} onRetry={() => products.refetch()} title="Their products could not be loaded" />
        ) : items.length === 0 ? (
          <EmptyState title="Nothing on sale right now" icon={<Store className="size-10" />}>
            {page.name} has no products listed at the moment. Check back soon.
          </EmptyState>
        ) : (
          <>
            <ProductGrid products={items} />
            <LoadMore hasMore={Boolean(products.hasNextPage)} loading={products.isFetchingNextPage} onLoadMore={() => void products.fetchNextPage()} label="More products" />
          </>
        )}
      </section>
    </>
  );
}
