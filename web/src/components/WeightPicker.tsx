import { Minus, Plus } from "lucide-react";
import { maxWeight, weightRules, type BasketProduct } from "@/lib/basket";
import { formatGrams } from "@/lib/money";
import { cn } from "@/lib/utils";
import { Button } from "./ui/button";

type Rules = Pick<BasketProduct, "min_weight_g" | "step_g" | "stock">;

/**
 * "− 750 g +": a weight in the product's steps, from its minimum up to what is in stock. The value
 * is announced as it changes; each button says by how much it moves.
 */
export function WeightPicker({
  product,
  value,
  onChange,
  label,
  ceiling,
  size = "default",
  testId = "weight-picker",
}: {
  product: Rules;
  value: number;
  onChange: (grams: number) => void;
  /** The group's accessible name, e.g. "Weight of Loose apples". */
  label: string;
  /** A lower ceiling than the stock (what is left once the basket's share is counted). */
  ceiling?: number;
  size?: "default" | "sm";
  testId?: string;
}) {
  const { min, step } = weightRules(product);
  const most = Math.min(maxWeight(product), ceiling ?? Number.POSITIVE_INFINITY);
  const small = size === "sm";
  return (
    <div className="flex items-center rounded-md border" role="group" aria-label={label} data-testid={testId}>
      <Button
        type="button"
        variant="ghost"
        size="icon"
        className={cn(small && "size-11 sm:size-8")}
        aria-label={`${formatGrams(step)} less`}
        disabled={value - step < min}
        onClick={() => onChange(value - step)}
        data-testid="weight-less"
      >
        <Minus aria-hidden="true" />
      </Button>
      <output className={cn("text-center tabular-nums", small ? "w-16 text-sm" : "w-20")} aria-live="polite" data-testid="weight-value" data-grams={value}>
        {formatGrams(value)}
      </output>
      <Button
        type="button"
        variant="ghost"
        size="icon"
        className={cn(small && "size-11 sm:size-8")}
        aria-label={`${formatGrams(step)} more`}
        disabled={value + step > most}
        onClick={() => onChange(value + step)}
        data-testid="weight-more"
      >
        <Plus aria-hidden="true" />
      </Button>
    </div>
  );
}

/** The note every weighed line carries. */
export const WEIGHED_NOTE = "Final price follows the packed weight.";
