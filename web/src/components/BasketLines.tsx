import { Minus, Plus, Scale, Trash2 } from "lucide-react";
import { useId } from "react";
import { Link } from "react-router";
import { basket, groupBySeller, isWeighed, lineAmount, lineEstimateCents, MAX_QUANTITY, type BasketLine, type Substitution } from "@/lib/basket";
import type { LineIssue } from "@/lib/basketCheck";
import type { SellerBasketTerms } from "@/lib/fulfilment";
import { formatCents, formatGrams, perUnit } from "@/lib/money";
import { cn } from "@/lib/utils";
import { SellerDeliveryNote } from "./fulfilment/SellerDeliveryNote";
import { Price } from "./Price";
import { SellerLink } from "./SellerLink";
import { ProductImage } from "./ProductImage";
import { Button } from "./ui/button";
import { Select } from "./ui/input";
import { WEIGHED_NOTE, WeightPicker } from "./WeightPicker";

export const SUBSTITUTION_LABEL: Record<Substitution, string> = {
  none: "No substitutes",
  similar: "A similar product is fine",
};

/** The basket, one block per seller (each becomes its own order), with amount and substitution controls. */
export function BasketLines({
  lines,
  issues = {},
  editable = true,
  sellerTerms,
  termsFailed = {},
}: {
  lines: BasketLine[];
  issues?: Record<string, LineIssue>;
  editable?: boolean;
  /** Each seller's delivery terms for the basket (the basket page): shown under the seller's lines. */
  sellerTerms?: Record<string, SellerBasketTerms>;
  /** Sellers whose terms could not be read. */
  termsFailed?: Record<string, boolean>;
}) {
  return (
    <div className="grid gap-4">
      {groupBySeller(lines).map((group) => (
        <section
          key={group.sellerId}
          className="rounded-lg border bg-card"
          aria-label={`Items from ${group.sellerName}`}
          data-testid="basket-seller-group"
          data-seller-id={group.sellerId}
        >
          <h2 className="border-b px-4 py-3 text-sm font-semibold">
            From <SellerLink sellerId={group.sellerId} name={group.sellerName} />
          </h2>
          <ul className="divide-y">
            {group.lines.map((line) => (
              <BasketRow key={line.product.id} line={line} issue={issues[line.product.id]} editable={editable} />
            ))}
          </ul>
          {sellerTerms?.[group.sellerId] && (
            <div className="border-t bg-muted/30">
              <SellerDeliveryNote group={sellerTerms[group.sellerId]} currency={group.lines[0].product.currency} failed={termsFailed[group.sellerId]} />
            </div>
          )}
        </section>
      ))}
    </div>
  );
}

function BasketRow({ line, issue, editable }: { line: BasketLine; issue?: LineIssue; editable: boolean }) {
  const { product } = line;
  const weighed = isWeighed(line);
  const amount = lineAmount(line);
  const estimate = formatCents(lineEstimateCents(line), product.currency);
  const substitutionId = useId();
  return (
    <li
      className={cn("flex gap-3 p-4", issue && "bg-red-50")}
      data-testid="basket-line"
      data-product-id={product.id}
      data-sold-by={product.sold_by}
    >
      <ProductImage src={product.image} alt="" className="size-16 shrink-0 rounded-md" />
      <div className="grid min-w-0 flex-1 gap-1">
        <div className="flex flex-wrap justify-between gap-2">
          <Link to={`/products/${product.id}`} className="inline-flex min-h-11 items-center font-medium hover:underline sm:min-h-0">
            {product.name}
          </Link>
          <span className="font-semibold tabular-nums" data-testid="line-estimate">
            {weighed && <span className="text-xs font-normal text-muted-foreground">est. </span>}
            {estimate}
          </span>
        </div>
        <p className="text-sm text-muted-foreground">
          {weighed ? (
            <>
              <Price amount={product.price} currency={product.currency} /> per kg
            </>
          ) : (
            <>
              <Price amount={product.price} currency={product.currency} /> {perUnit(product.unit)}
            </>
          )}
          {product.unit_price_label && !weighed && product.unit.trim().toLowerCase() !== "each" && <span className="ml-1">({product.unit_price_label})</span>}
        </p>
        {weighed && (
          <p className="flex items-center gap-1 text-xs text-amber-900" data-testid="weighed-note">
            <Scale className="size-3.5 shrink-0" aria-hidden="true" /> Weighed item: {WEIGHED_NOTE}
          </p>
        )}
        {issue && (
          <p className="text-sm font-medium text-destructive" role="alert" data-testid="line-issue">
            {issue.message}
          </p>
        )}
        {editable ? (
          <>
            <div className="mt-1 flex flex-wrap items-center gap-2">
              {weighed ? (
                <WeightPicker
                  product={product}
                  value={amount}
                  size="sm"
                  label={`Weight of ${product.name}`}
                  ceiling={issue?.available}
                  onChange={(grams) => basket.setWeight(product.id, grams)}
                />
              ) : (
                <div className="flex items-center rounded-md border" role="group" aria-label={`Quantity of ${product.name}`}>
                  <Button
                    variant="ghost"
                    size="icon"
                    className="size-11 sm:size-8"
                    aria-label={`One less ${product.name}`}
                    onClick={() => basket.setQuantity(product.id, amount - 1)}
                  >
                    <Minus aria-hidden="true" />
                  </Button>
                  <span className="w-8 text-center text-sm tabular-nums" data-testid="line-quantity">
                    {amount}
                  </span>
                  <Button
                    variant="ghost"
                    size="icon"
                    className="size-11 sm:size-8"
                    aria-label={`One more ${product.name}`}
                    disabled={amount >= Math.min(MAX_QUANTITY, issue?.available ?? Math.max(product.stock, 1))}
                    onClick={() => basket.setQuantity(product.id, amount + 1)}
                  >
                    <Plus aria-hidden="true" />
                  </Button>
                </div>
              )}
              {issue?.available !== undefined && issue.available > 0 && amount > issue.available && (
                <Button
                  variant="outline"
                  size="sm"
                  onClick={() => (weighed ? basket.setWeight(product.id, issue.available!) : basket.setQuantity(product.id, issue.available!))}
                >
                  Set to {weighed ? formatGrams(issue.available) : issue.available}
                </Button>
              )}
              <Button variant="ghost" size="sm" className="ml-auto min-w-11 text-destructive" onClick={() => basket.remove(product.id)} aria-label={`Remove ${product.name}`}>
                <Trash2 aria-hidden="true" /> <span className="hidden sm:inline">Remove</span>
              </Button>
            </div>
            <div className="flex flex-wrap items-center gap-2 text-sm">
              <label htmlFor={substitutionId} className="text-muted-foreground">
                If unavailable:
              </label>
              <Select
                id={substitutionId}
                className="h-11 w-auto min-w-0 flex-1 sm:h-9 sm:flex-none"
                value={line.substitution}
                onChange={(event) => basket.setSubstitution(product.id, event.target.value as Substitution)}
                data-testid="substitution-select"
              >
                <option value="none">{SUBSTITUTION_LABEL.none}</option>
                <option value="similar">{SUBSTITUTION_LABEL.similar}</option>
              </Select>
            </div>
          </>
        ) : (
          <p className="text-sm" data-testid="line-summary">
            {weighed ? formatGrams(amount) : `Qty ${amount}`} · {SUBSTITUTION_LABEL[line.substitution]}
          </p>
        )}
      </div>
    </li>
  );
}
