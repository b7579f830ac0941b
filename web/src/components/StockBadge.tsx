import { formatGrams } from "@/lib/money";
import { Badge } from "./ui/badge";

export const LOW_STOCK = 5;
/** A weighed product is running low below this many grams. */
export const LOW_STOCK_G = 1_000;

/** Stock in words: items, or grams for a product sold by weight (out of stock below its minimum). */
export function StockBadge({ stock, weighed = false, minWeight = 1 }: { stock: number; weighed?: boolean; minWeight?: number | null }) {
  if (weighed) {
    if (stock < (minWeight ?? 1)) return <Badge tone="red" data-testid="stock-state">Out of stock</Badge>;
    if (stock < LOW_STOCK_G) return <Badge tone="amber" data-testid="stock-state">Only {formatGrams(stock)} left</Badge>;
    return <Badge tone="green" data-testid="stock-state">In stock</Badge>;
  }
  if (stock <= 0) return <Badge tone="red" data-testid="stock-state">Out of stock</Badge>;
  if (stock <= LOW_STOCK) return <Badge tone="amber" data-testid="stock-state">Only {stock} left</Badge>;
  return <Badge tone="green" data-testid="stock-state">In stock</Badge>;
}
