import { keepPreviousData, useInfiniteQuery, useQueries, useQuery } from "@tanstack/react-query";
import { api } from "./api";
import { isApiError } from "./api/errors";
import type { SellerSlots } from "./api/models";
import type { MyProductQuery, OrderStatus, ProductQuery } from "./api/models";

// Query keys in one place so mutations can invalidate exactly what they change.
export const keys = {
  categories: ["categories"] as const,
  products: (query: ProductQuery) => ["products", query] as const,
  allProducts: ["products"] as const,
  product: (id: string) => ["product", id] as const,
  sellerProduct: (id: string) => ["seller", "product", id] as const,
  myOrders: ["orders", "mine"] as const,
  addresses: ["me", "addresses"] as const,
  order: (id: string) => ["order", id] as const,
  checkout: (id: string) => ["checkout", id] as const,
  sellerOrders: (status: string, window: SellerOrdersWindow = {}) => ["seller", "orders", status, window.slotDate ?? "", window.slotId ?? ""] as const,
  sellerFulfilment: ["seller", "fulfilment"] as const,
  sellerSlots: (sellerId: string) => ["slots", sellerId] as const,
  allSellerSlots: ["slots"] as const,
  packingList: (slotId: string) => ["seller", "packing-list", slotId] as const,
  sellerAnalytics: ["seller", "analytics"] as const,
  sellerPayouts: ["seller", "payouts"] as const,
  sellerPayoutAccount: ["seller", "payout-account"] as const,
  sellerProfile: ["seller", "profile"] as const,
  sellerPage: (id: string) => ["seller-page", id] as const,
  adminUsers: (q: string) => ["admin", "users", q] as const,
  adminUserAudit: (id: string) => ["admin", "users", "audit", id] as const,
  adminFinance: (days: number) => ["admin", "finance", days] as const,
};

/** The signed-in user's address book (the default first). */
export function useAddressBook(enabled = true) {
  return useQuery({
    queryKey: keys.addresses,
    queryFn: ({ signal }) => api.addresses(signal),
    enabled,
  });
}

export function useCategories() {
  return useQuery({
    queryKey: keys.categories,
    queryFn: ({ signal }) => api.listCategories(signal),
    staleTime: 5 * 60_000,
  });
}

export function useProductPages(query: ProductQuery) {
  return useInfiniteQuery({
    queryKey: keys.products(query),
    queryFn: ({ pageParam, signal }) => api.listProducts({ ...query, cursor: pageParam }, signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page) => page.next_cursor ?? undefined,
    // While a new search loads, keep showing the previous results instead of flashing skeletons.
    placeholderData: keepPreviousData,
  });
}

/** The seller's own products (its own route: listed or not, never a cached public page). */
export function useMyProductPages(query: MyProductQuery) {
  return useInfiniteQuery({
    queryKey: ["products", "mine", query] as const,
    queryFn: ({ pageParam, signal }) => api.listMyProducts({ ...query, cursor: pageParam }, signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page) => page.next_cursor ?? undefined,
  });
}

export function useProduct(id: string | undefined) {
  return useQuery({
    queryKey: keys.product(id ?? ""),
    queryFn: ({ signal }) => api.getProduct(id!, signal),
    enabled: Boolean(id),
  });
}

/**
 * The seller's own product for editing: always read fresh from the API (not a CDN copy), and not
 * refetched behind the form's back: the form edits the version it loaded and names it on save.
 */
export function useSellerProduct(id: string | undefined) {
  return useQuery({
    queryKey: keys.sellerProduct(id ?? ""),
    queryFn: ({ signal }) => api.sellerProduct(id!, signal),
    enabled: Boolean(id),
    staleTime: 0,
    gcTime: 0, // a later visit starts from a fresh read, never from this one
    refetchOnWindowFocus: false,
  });
}

export function useOrder(id: string | undefined, options: { pollWhilePending?: boolean } = {}) {
  return useQuery({
    queryKey: keys.order(id ?? ""),
    queryFn: ({ signal }) => api.getOrder(id!, signal),
    enabled: Boolean(id),
    // While the payment is awaited, or a refund is on its way to the card, the page follows it.
    refetchInterval: (query) =>
      options.pollWhilePending && (query.state.data?.status === "pending_payment" || query.state.data?.refunds?.some((refund) => refund.status === "pending"))
        ? 1500
        : false,
  });
}

/** A checkout as its buyer sees it; while it awaits payment it carries the payment to resume. */
export function useCheckout(id: string | undefined, options: { enabled?: boolean } = {}) {
  return useQuery({
    queryKey: keys.checkout(id ?? ""),
    queryFn: ({ signal }) => api.getCheckout(id!, signal),
    enabled: Boolean(id) && options.enabled !== false,
  });
}

export function useMyOrders() {
  return useInfiniteQuery({
    queryKey: keys.myOrders,
    queryFn: ({ pageParam }) => api.myOrders({ limit: 20, cursor: pageParam }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page) => page.next_cursor ?? undefined,
  });
}

/** Narrows the seller's orders to the windows of one day, or to one window. */
export interface SellerOrdersWindow {
  slotDate?: string;
  slotId?: string;
}

export function useSellerOrders(status: OrderStatus | "", window: SellerOrdersWindow = {}) {
  return useInfiniteQuery({
    queryKey: keys.sellerOrders(status, window),
    queryFn: ({ pageParam }) =>
      api.sellerOrders({ status: status || undefined, slot_date: window.slotDate || undefined, slot_id: window.slotId || undefined, limit: 20, cursor: pageParam }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page) => page.next_cursor ?? undefined,
  });
}

/**
 * How many of the seller's orders are in each status (the first page of their listing counts them).
 * Under the `["seller"]` key every order action invalidates, so the counts follow each move.
 */
export function useSellerOrderCounts(window: SellerOrdersWindow = {}) {
  return useQuery({
    queryKey: ["seller", "orders", "counts", window.slotDate ?? "", window.slotId ?? ""] as const,
    queryFn: async () => (await api.sellerOrders({ limit: 1, slot_date: window.slotDate || undefined, slot_id: window.slotId || undefined })).counts,
  });
}

/** A seller's public page; null for a seller who cannot sell (the API's 404). */
export function useSellerPage(id: string | undefined) {
  return useQuery({
    queryKey: keys.sellerPage(id ?? ""),
    queryFn: async ({ signal }) => {
      try {
        return await api.getSeller(id!, signal);
      } catch (error) {
        if (isApiError(error) && error.status === 404) return null;
        throw error;
      }
    },
    enabled: Boolean(id),
  });
}

export function useSellerProfile() {
  return useQuery({ queryKey: keys.sellerProfile, queryFn: ({ signal }) => api.sellerProfile(signal) });
}

// ---- delivery and pickup windows ----------------------------------------------------------------

/**
 * A seller's open windows and terms, or null for a seller without windows (the API's 404: they
 * arrange delivery themselves, no choice and no fee). Cached a minute per seller; the API's own
 * cache is 15 s and a stale count costs at most a 409 at checkout, which refetches.
 */
export async function fetchSellerSlots(sellerId: string, signal?: AbortSignal): Promise<SellerSlots | null> {
  try {
    return await api.sellerSlots(sellerId, undefined, signal);
  } catch (error) {
    if (isApiError(error) && error.status === 404) return null;
    throw error;
  }
}

const SLOTS_STALE_MS = 60_000;

export function useSellerSlots(sellerId: string | undefined) {
  return useQuery({
    queryKey: keys.sellerSlots(sellerId ?? ""),
    queryFn: ({ signal }) => fetchSellerSlots(sellerId!, signal),
    enabled: Boolean(sellerId),
    staleTime: SLOTS_STALE_MS,
  });
}

/** One query per seller of the basket (shared with every other page asking for the same seller). */
export function useSlotsFor(sellerIds: string[]) {
  return useQueries({
    queries: sellerIds.map((sellerId) => ({
      queryKey: keys.sellerSlots(sellerId),
      queryFn: ({ signal }: { signal: AbortSignal }) => fetchSellerSlots(sellerId, signal),
      staleTime: SLOTS_STALE_MS,
    })),
    combine: (results) => ({
      /** seller id -> terms and windows; null: arranges delivery themselves; absent: still loading or failed. */
      bySeller: Object.fromEntries(
        sellerIds.flatMap((sellerId, index) => (results[index].data !== undefined ? [[sellerId, results[index].data]] : [])),
      ) as Record<string, SellerSlots | null>,
      pending: results.some((result) => result.isPending),
      errors: Object.fromEntries(sellerIds.flatMap((sellerId, index) => (results[index].isError ? [[sellerId, results[index].error]] : []))) as Record<string, unknown>,
      refetch: () => Promise.all(results.map((result) => result.refetch())),
    }),
  });
}

export function useSellerFulfilment() {
  return useQuery({ queryKey: keys.sellerFulfilment, queryFn: ({ signal }) => api.sellerFulfilment(signal), staleTime: 0, refetchOnWindowFocus: false });
}

export function usePackingList(slotId: string | undefined) {
  return useQuery({ queryKey: keys.packingList(slotId ?? ""), queryFn: ({ signal }) => api.sellerPackingList(slotId!, signal), enabled: Boolean(slotId) });
}
