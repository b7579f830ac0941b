// Search helpers shared by the search boxes: suggestions while typing, where a suggestion leads, and a
// placeholder that only ever names what the catalog has.
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { api } from "./api";
import type { components } from "./api/openapi.gen";
import { useDebouncedValue } from "./hooks";

export type Suggestion = components["schemas"]["SuggestionOut"];
type CategoryCount = components["schemas"]["CategoryOut"];

/** Typed this many characters (trimmed), suggestions are asked for. */
export const SUGGEST_MIN_CHARS = 2;

/** Suggestions for what is being typed: one request per pause in typing, the previous list kept meanwhile. */
export function useSuggestions(text: string, enabled = true) {
  const q = useDebouncedValue(text.trim(), 150);
  return useQuery({
    queryKey: ["products", "suggest", q],
    queryFn: ({ signal }) => api.suggestProducts(q, signal),
    enabled: enabled && q.length >= SUGGEST_MIN_CHARS,
    staleTime: 60_000, // the API lets CloudFront keep them a minute too
    placeholderData: keepPreviousData,
  });
}

/** Where picking a suggestion goes: a category's listing, or the product itself. */
export function suggestionHref(suggestion: Suggestion): string {
  if (suggestion.kind === "category" && suggestion.category) return `/products?category=${encodeURIComponent(suggestion.category)}`;
  if (suggestion.product_id) return `/products/${encodeURIComponent(suggestion.product_id)}`;
  return `/products?q=${encodeURIComponent(suggestion.label)}`;
}

/**
 * The search box's example words: the names of categories that have products right now (a category name is
 * a search that finds them), or no examples at all, never an example that would find nothing.
 */
export function searchPlaceholder(categories: CategoryCount[] | undefined): string {
  const stocked = (categories ?? []).filter((category) => category.count > 0).slice(0, 3);
  if (stocked.length === 0) return "Search groceries";
  return `Search, e.g. ${stocked.map((category) => category.name.toLowerCase()).join(", ")}…`;
}

/** The catalog address for another query, keeping the other filters (category, prices, sort). */
export function withQuery(params: URLSearchParams, q: string): string {
  const next = new URLSearchParams(params);
  next.set("q", q);
  return `/products?${next.toString()}`;
}
