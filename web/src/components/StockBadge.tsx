import { Badge } from "./ui/badge";

export const LOW_STOCK = 5;

export function StockBadge({ stock }: { stock: number }) {
  if (stock <= 0) return <Badge tone="red" data-testid="stock-state">Out of stock</Badge>;
  if (stock <= LOW_STOCK) return <Badge tone="amber" data-testid="stock-state">Only {stock} left</Badge>;
  return <Badge tone="green" data-testid="stock-state">In stock</Badge>;
}
