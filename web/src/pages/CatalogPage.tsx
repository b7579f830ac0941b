import { Search, X } from "lucide-react";
import { useEffect, useMemo, useState } from "react";
import { useSearchParams } from "react-router";
import { PageHeader } from "@/components/PageHeader";
import { DidYouMean } from "@/components/search/DidYouMean";
import { SearchCombobox } from "@/components/search/SearchCombobox";
import { ProductGrid } from "@/components/ProductCard";
import { EmptyState, ErrorState, LoadMore, ProductGridSkeleton } from "@/components/states";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { Input, Select } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import type { CategorySlug, ProductQuery, ProductSort } from "@/lib/api/models";
import { useDebouncedValue } from "@/lib/hooks";
import { isValidPriceInput } from "@/lib/money";
import { useCategories, useProductPages } from "@/lib/queries";
import { searchPlaceholder, type Suggestion } from "@/lib/search";
import { plural } from "@/lib/counts";

const SORTS: { value: ProductSort | ""; label: string }[] = [
  { value: "", label: "Best match" },
  { value: "newest", label: "Newest" },
  { value: "price", label: "Price: low to high" },
  { value: "-price", label: "Price: high to low" },
  { value: "unit_price", label: "Unit price (low to high)" },
  { value: "-unit_price", label: "Unit price (high to low)" },
  { value: "name", label: "Name A–Z" },
];

const PAGE_SIZE = 24;

export default function CatalogPage() {
  const [params, setParams] = useSearchParams();
  const categories = useCategories();

  // Text inputs are local and debounced into the URL, so typing doesn't fire a request per key.
  const [q, setQ] = useState(params.get("q") ?? "");
  const [minPrice, setMinPrice] = useState(params.get("min_price") ?? "");
  const [maxPrice, setMaxPrice] = useState(params.get("max_price") ?? "");
  const debouncedQ = useDebouncedValue(q.trim(), 300);
  const debouncedMin = useDebouncedValue(minPrice.trim(), 400);
  const debouncedMax = useDebouncedValue(maxPrice.trim(), 400);

  const minInvalid = debouncedMin !== "" && !isValidPriceInput(debouncedMin);
  const maxInvalid = debouncedMax !== "" && !isValidPriceInput(debouncedMax);
  const rangeInvalid =
    !minInvalid && !maxInvalid && debouncedMin !== "" && debouncedMax !== "" && Number(debouncedMin) > Number(debouncedMax);

  // The header search navigates here with ?q=; follow it when it changes from outside.
  const urlQ = params.get("q") ?? "";
  const [seenUrlQ, setSeenUrlQ] = useState(urlQ);
  if (seenUrlQ !== urlQ) {
    setSeenUrlQ(urlQ);
    setQ((current) => (current.trim() === urlQ ? current : urlQ));
  }

  useEffect(() => {
    setParams(
      (current) => {
        const next = new URLSearchParams(current);
        setOrDelete(next, "q", debouncedQ);
        setOrDelete(next, "min_price", minInvalid || rangeInvalid ? "" : debouncedMin);
        setOrDelete(next, "max_price", maxInvalid || rangeInvalid ? "" : debouncedMax);
        return next;
      },
      { replace: true },
    );
  }, [debouncedQ, debouncedMin, debouncedMax, minInvalid, maxInvalid, rangeInvalid, setParams]);

  const category = params.get("category") ?? "";
  const sort = (params.get("sort") ?? "") as ProductSort | "";
  const query: ProductQuery = useMemo(
    () => ({
      q: params.get("q") || undefined,
      // Straight from the address bar: the API answers 422 for a slug it does not know.
      category: (category || undefined) as CategorySlug | undefined,
      min_price: params.get("min_price") || undefined,
      max_price: params.get("max_price") || undefined,
      sort: sort || undefined,
      limit: PAGE_SIZE,
    }),
    [params, category, sort],
  );

  const results = useProductPages(query);
  const products = results.data?.pages.flatMap((page) => page.items) ?? [];
  const categoryName = categories.data?.items.find((item) => item.slug === category)?.name;
  const nextPageError = results.isFetchNextPageError ? results.error : null;
  const hasFilters = Boolean(query.q || query.category || query.min_price || query.max_price);

  function updateParam(key: string, value: string) {
    setParams((current) => {
      const next = new URLSearchParams(current);
      setOrDelete(next, key, value);
      return next;
    });
  }

  // A picked category replaces the search (the text typed was only on the way to it); a product opens its page.
  function pickSuggestion(suggestion: Suggestion) {
    if (suggestion.kind !== "category" || !suggestion.category) return false;
    setQ("");
    updateParam("category", suggestion.category);
    return true;
  }

  function clearFilters() {
    setQ("");
    setMinPrice("");
    setMaxPrice("");
    setParams(sort ? { sort } : {});
  }

  return (
    <div>
      <PageHeader title={categoryName ?? "All groceries"} description="Search across every seller and fill one basket." />

      <div className="mb-6 grid grid-cols-2 gap-3 rounded-lg border bg-muted/50 p-4 md:grid-cols-[2fr_1fr_1fr_1fr_1fr] md:gap-4">
        <div className="col-span-2 grid gap-1.5 md:col-span-1">
          <Label htmlFor="catalog-search">Search</Label>
          <div className="relative" role="search">
            <Search className="pointer-events-none absolute left-3 top-1/2 size-4 -translate-y-1/2 text-muted-foreground" aria-hidden="true" />
            {/* search: suggestions while typing; examples only from categories that have products */}
            <SearchCombobox
              id="catalog-search"
              placeholder={searchPlaceholder(categories.data?.items)}
              value={q}
              onValueChange={setQ}
              onPick={pickSuggestion}
              className="pl-9"
              data-testid="catalog-search"
            />
          </div>
        </div>
        <Field label="Category">
          <Select value={category} onChange={(event) => updateParam("category", event.target.value)} data-testid="category-filter">
            <option value="">All categories</option>
            {categories.data?.items.map((item) => (
              <option key={item.slug} value={item.slug}>
                {item.name} ({item.count})
              </option>
            ))}
          </Select>
        </Field>
        <Field label="Sort by">
          <Select value={sort} onChange={(event) => updateParam("sort", event.target.value)} data-testid="sort-select">
            {SORTS.map((option) => (
              <option key={option.value} value={option.value}>
                {option.label}
              </option>
            ))}
          </Select>
        </Field>
        <Field label="Min price" error={minInvalid ? "Use a number like 2.50" : undefined}>
          <Input inputMode="decimal" placeholder="0.00" value={minPrice} onChange={(event) => setMinPrice(event.target.value)} />
        </Field>
        <Field
          label="Max price"
          error={maxInvalid ? "Use a number like 10" : rangeInvalid ? "Must be at least the min price" : undefined}
        >
          <Input inputMode="decimal" placeholder="Any" value={maxPrice} onChange={(event) => setMaxPrice(event.target.value)} />
        </Field>
      </div>

      <div aria-live="polite" className="sr-only">
        {results.isSuccess && (results.hasNextPage ? `${products.length}+ products found` : `${plural(products.length, "product")} found`)}
      </div>

      {results.isPending ? (
        <ProductGridSkeleton />
      ) : results.isError ? (
        <ErrorState error={results.error} onRetry={() => results.refetch()} title="Products could not be loaded" />
      ) : products.length === 0 ? (
        <EmptyState
          title="No groceries match"
          action={
            hasFilters && (
              <Button variant="outline" onClick={clearFilters}>
                <X aria-hidden="true" /> Clear filters
              </Button>
            )
          }
        >
          <DidYouMean suggestion={results.data?.pages[0]?.did_you_mean} onPick={setQ} />
          {hasFilters ? "Try a shorter search, another category or a wider price range." : "Nothing is listed yet. Check back soon."}
        </EmptyState>
      ) : (
        <>
          <h2 className="sr-only">Results</h2>
          <ProductGrid products={products} updating={results.isPlaceholderData} />
          {nextPageError && (
            <div className="mt-4">
              <ErrorState error={nextPageError} title="More products could not be loaded" onRetry={() => void results.fetchNextPage()} />
            </div>
          )}
          <LoadMore
            hasMore={Boolean(results.hasNextPage)}
            loading={results.isFetchingNextPage}
            onLoadMore={() => results.fetchNextPage()}
            label="Load more products"
          />
        </>
      )}
    </div>
  );
}

function setOrDelete(params: URLSearchParams, key: string, value: string) {
  if (value) params.set(key, value);
  else params.delete(key);
}
