import { Minus, Plus, Trash2 } from "lucide-react";
import { Link } from "react-router";
import { basket, groupBySeller, MAX_QUANTITY, type BasketLine } from "@/lib/basket";
import type { LineIssue } from "@/lib/basketCheck";
import { formatCents, perUnit, toCents } from "@/lib/money";
import { cn } from "@/lib/utils";
import { Price } from "./Price";
import { ProductImage } from "./ProductImage";
import { Button } from "./ui/button";

/** The basket, one block per seller (each becomes its own order), with quantity controls. */
export function BasketLines({
  lines,
  issues = {},
  editable = true,
}: {
  lines: BasketLine[];
  issues?: Record<string, LineIssue>;
  editable?: boolean;
}) {
  return (
    <div className="grid gap-4">
      {groupBySeller(lines).map((group) => (
        <section key={group.sellerId} className="rounded-lg border bg-card" aria-label={`Items from ${group.sellerName}`} data-testid="basket-seller-group">
          <h2 className="border-b px-4 py-3 text-sm font-semibold">
            From {group.sellerName}
          </h2>
          <ul className="divide-y">
            {group.lines.map((line) => (
              <BasketRow key={line.product.id} line={line} issue={issues[line.product.id]} editable={editable} />
            ))}
          </ul>
        </section>
      ))}
    </div>
  );
}

function BasketRow({ line, issue, editable }: { line: BasketLine; issue?: LineIssue; editable: boolean }) {
  const { product, quantity } = line;
  const lineTotal = formatCents(toCents(product.price) * quantity, product.currency);
  const ceiling = Math.min(MAX_QUANTITY, issue?.available ?? Math.max(product.stock, 1));
  return (
    <li className={cn("flex gap-3 p-4", issue && "bg-red-50")} data-testid="basket-line" data-product-id={product.id}>
      <ProductImage src={product.image} alt="" className="size-16 shrink-0 rounded-md" />
      <div className="grid flex-1 gap-1">
        <div className="flex flex-wrap justify-between gap-2">
          <Link to={`/products/${product.id}`} className="font-medium hover:underline">
            {product.name}
          </Link>
          <span className="font-semibold tabular-nums">{lineTotal}</span>
        </div>
        <p className="text-sm text-muted-foreground">
          <Price amount={product.price} currency={product.currency} /> {perUnit(product.unit)}
        </p>
        {issue && (
          <p className="text-sm font-medium text-destructive" role="alert" data-testid="line-issue">
            {issue.message}
          </p>
        )}
        {editable ? (
          <div className="mt-1 flex items-center gap-2">
            <div className="flex items-center rounded-md border" role="group" aria-label={`Quantity of ${product.name}`}>
              <Button
                variant="ghost"
                size="icon"
                className="size-8"
                aria-label={`One less ${product.name}`}
                onClick={() => basket.setQuantity(product.id, quantity - 1)}
              >
                <Minus aria-hidden="true" />
              </Button>
              <span className="w-8 text-center text-sm tabular-nums" data-testid="line-quantity">
                {quantity}
              </span>
              <Button
                variant="ghost"
                size="icon"
                className="size-8"
                aria-label={`One more ${product.name}`}
                disabled={quantity >= ceiling}
                onClick={() => basket.setQuantity(product.id, quantity + 1)}
              >
                <Plus aria-hidden="true" />
              </Button>
            </div>
            {issue?.available !== undefined && issue.available > 0 && quantity > issue.available && (
              <Button variant="outline" size="sm" onClick={() => basket.setQuantity(product.id, issue.available!)}>
                Set to {issue.available}
              </Button>
            )}
            <Button variant="ghost" size="sm" className="ml-auto text-destructive" onClick={() => basket.remove(product.id)} aria-label={`Remove ${product.name}`}>
              <Trash2 aria-hidden="true" /> <span className="hidden sm:inline">Remove</span>
            </Button>
          </div>
        ) : (
          <p className="text-sm">Qty {quantity}</p>
        )}
      </div>
    </li>
  );
}
