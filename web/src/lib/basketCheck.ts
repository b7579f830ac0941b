import { useQueries } from "@tanstack/react-query";
import { useEffect, useEffectEvent } from "react";
import { api } from "./api";
import { isApiError } from "./api/errors";
import type { Product } from "./api/models";
import { basket, isWeighed, lineAmount, maxWeight, snapshot, weightRules, type BasketLine } from "./basket";
import { formatGrams } from "./money";
import { keys } from "./queries";

export interface LineIssue {
  kind: "unavailable" | "short" | "sold_out";
  message: string;
  /** How many the seller can still sell (grams for a weighed product), when known. */
  available?: number;
}

/**
 * Re-reads every basket product so prices and stock are current before checkout. The server has
 * the last word (409 on checkout); this catches most problems before the user gets that far.
 */
export function useBasketCheck(lines: BasketLine[]) {
  const results = useQueries({
    queries: lines.map((line) => ({
      queryKey: keys.product(line.product.id),
      queryFn: ({ signal }: { signal: AbortSignal }) => api.getProduct(line.product.id, signal),
      staleTime: 10_000,
      retry: false,
    })),
  });

  const fresh = results.map((result) => result.data).filter((product): product is Product => Boolean(product));
  const freshKey = fresh.map((product) => `${product.id}:${product.price}:${product.stock}:${product.updated_at}`).join("|");

  // Keep remembered details (price, stock, name) in step with what the server says now.
  // Run when the content changes, not the array's identity (new every render), so a refresh,
  // which re-renders the basket, does not loop.
  const refreshBasket = useEffectEvent(() => {
    if (fresh.length) basket.refresh(fresh);
  });
  useEffect(() => {
    refreshBasket();
  }, [freshKey]);

  const issues: Record<string, LineIssue> = {};
  lines.forEach((line, index) => {
    const result = results[index];
    if (result?.isError && isApiError(result.error) && result.error.status === 404) {
      issues[line.product.id] = { kind: "unavailable", message: "No longer available. Remove it to continue." };
    } else if (result?.data) {
      const stock = result.data.stock;
      const wanted = lineAmount(line);
      if (isWeighed(line)) {
        // What can still be bought in the product's steps: the stock rounded down to a step.
        const fresh = snapshot(result.data);
        const most = maxWeight(fresh);
        if (most < weightRules(fresh).min)
          issues[line.product.id] = { kind: "sold_out", message: "Sold out. Remove it to continue.", available: 0 };
        else if (most < wanted)
          issues[line.product.id] = { kind: "short", message: `Only ${formatGrams(most)} left. Lower the weight to continue.`, available: most };
      } else if (stock <= 0) issues[line.product.id] = { kind: "sold_out", message: "Sold out. Remove it to continue.", available: 0 };
      else if (stock < wanted)
        issues[line.product.id] = { kind: "short", message: `Only ${stock} left. Lower the quantity to continue.`, available: stock };
    }
  });

  return {
    issues,
    checking: results.some((result) => result.isPending),
    hasIssues: Object.keys(issues).length > 0,
  };
}

/**
 * The 409 from checkout lists the products that ran short. Its exact shape is the server's, so
 * accept the plausible ones: a list of ids, or objects with product_id and an available count
 * (grams for the products in `weighed`).
 */
export function shortagesFromConflict(details: unknown, weighed: ReadonlySet<string> = new Set()): Record<string, LineIssue> {
  const issues: Record<string, LineIssue> = {};
  const list = Array.isArray(details)
    ? details
    : Array.isArray((details as { products?: unknown })?.products)
      ? (details as { products: unknown[] }).products
      : Array.isArray((details as { items?: unknown })?.items)
        ? (details as { items: unknown[] }).items
        : [];
  for (const entry of list) {
    if (typeof entry === "string") {
      issues[entry] = { kind: "short", message: "Not enough stock for this quantity." };
      continue;
    }
    if (typeof entry !== "object" || entry === null) continue;
    const record = entry as Record<string, unknown>;
    const id = (record.product_id ?? record.id) as string | undefined;
    if (!id) continue;
    const availableRaw = record.available ?? record.stock ?? record.in_stock;
    const available = typeof availableRaw === "number" ? availableRaw : undefined;
    issues[id] = {
      kind: available === 0 ? "sold_out" : "short",
      available,
      message:
        available === undefined
          ? "Not enough stock for this quantity."
          : available === 0
            ? "Sold out while you were shopping."
            : `Only ${weighed.has(id) ? formatGrams(available) : available} left.`,
    };
  }
  return issues;
}
