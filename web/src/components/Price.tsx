import { formatMoney } from "@/lib/money";
import { cn } from "@/lib/utils";

export function Price({ amount, currency, className }: { amount: string; currency: string; className?: string }) {
  return <span className={cn("tabular-nums", className)}>{formatMoney(amount, currency)}</span>;
}
