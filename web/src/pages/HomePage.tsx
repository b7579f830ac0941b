import { ArrowRight, Store, Truck, Wallet } from "lucide-react";
import { Link } from "react-router";
import { ProductGrid } from "@/components/ProductCard";
import { EmptyState, ErrorState, ProductGridSkeleton } from "@/components/states";
import { Button } from "@/components/ui/button";
import { Skeleton } from "@/components/ui/skeleton";
import { useDocumentTitle } from "@/lib/hooks";
import { useCategories, useProductPages } from "@/lib/queries";

export default function HomePage() {
  useDocumentTitle(undefined);
  const categories = useCategories();
  const featured = useProductPages({ sort: "newest", limit: 8 });
  const products = featured.data?.pages.flatMap((page) => page.items) ?? [];

  return (
    <div className="grid gap-10">
      <section className="overflow-hidden rounded-2xl bg-gradient-to-br from-green-800 to-emerald-700 px-6 py-10 text-white sm:px-10 sm:py-14">
        <h1 className="max-w-2xl text-3xl font-bold tracking-tight sm:text-4xl">Fresh groceries from local sellers, in one basket.</h1>
        <p className="mt-3 max-w-xl text-green-50">
          Fruit from the farm, bread from the bakery, milk from the dairy — check out once and each seller delivers their part.
        </p>
        <div className="mt-6 flex flex-wrap gap-3">
          <Button asChild size="lg" className="bg-white text-green-900 hover:bg-green-50">
            <Link to="/products">
              Start shopping <ArrowRight aria-hidden="true" />
            </Link>
          </Button>
          <Button asChild size="lg" variant="outline" className="border-white bg-transparent text-white hover:bg-white/10">
            <Link to="/signup?seller=1">Sell on SmartGrocer</Link>
          </Button>
        </div>
        <ul className="mt-8 grid gap-3 text-sm text-green-50 sm:grid-cols-3">
          <li className="flex items-center gap-2"><Store className="size-4" aria-hidden="true" /> Independent sellers</li>
          <li className="flex items-center gap-2"><Wallet className="size-4" aria-hidden="true" /> One checkout, one payment</li>
          <li className="flex items-center gap-2"><Truck className="size-4" aria-hidden="true" /> Track every delivery</li>
        </ul>
      </section>

      <section aria-labelledby="categories-heading">
        <h2 id="categories-heading" className="mb-4 text-xl font-semibold">Shop by category</h2>
        {categories.isPending ? (
          <div className="grid grid-cols-2 gap-3 sm:grid-cols-3 lg:grid-cols-5">
            {Array.from({ length: 5 }, (_, index) => <Skeleton key={index} className="h-16" />)}
          </div>
        ) : categories.isError ? (
          <ErrorState error={categories.error} onRetry={() => categories.refetch()} title="Categories could not be loaded" />
        ) : (
          <ul className="grid grid-cols-2 gap-3 sm:grid-cols-3 lg:grid-cols-5" data-testid="category-list">
            {categories.data.items.map((category) => (
              <li key={category.slug}>
                <Link
                  to={`/products?category=${category.slug}`}
                  className="flex h-full flex-col rounded-lg border bg-card p-4 shadow-sm transition-colors hover:border-primary hover:bg-accent"
                >
                  <span className="font-medium">{category.name}</span>
                  <span className="text-sm text-muted-foreground">
                    {category.count} product{category.count === 1 ? "" : "s"}
                  </span>
                </Link>
              </li>
            ))}
          </ul>
        )}
      </section>

      <section aria-labelledby="featured-heading">
        <div className="mb-4 flex items-end justify-between gap-2">
          <h2 id="featured-heading" className="text-xl font-semibold">Just in</h2>
          <Link to="/products?sort=newest" className="flex min-h-11 items-center text-sm font-medium text-primary hover:underline sm:min-h-0">
            See everything
          </Link>
        </div>
        {featured.isPending ? (
          <ProductGridSkeleton count={8} />
        ) : featured.isError ? (
          <ErrorState error={featured.error} onRetry={() => featured.refetch()} title="Products could not be loaded" />
        ) : products.length === 0 ? (
          <EmptyState title="No products yet">Sellers are stocking their shelves. Check back soon.</EmptyState>
        ) : (
          <ProductGrid products={products} />
        )}
      </section>
    </div>
  );
}
