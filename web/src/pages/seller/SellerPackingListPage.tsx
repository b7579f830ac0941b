import { Printer } from "lucide-react";
import { Link, useParams } from "react-router";
import { EmptyState, ErrorState, PageLoading } from "@/components/states";
import { Button } from "@/components/ui/button";
import { isApiError } from "@/lib/api/errors";
import type { PackingList, PackingOrder } from "@/lib/api/models";
import { formatAddress } from "@/lib/countries";
import { METHOD_LABEL } from "@/lib/fulfilment";
import { formatAmount, STATUS_LABEL } from "@/lib/orders";
import { usePackingList } from "@/lib/queries";
import { BackLink } from "@/components/BackLink";
import { plural } from "@/lib/counts";

/** A window's packing list, made for paper: lines summed by product, then each order with its lines. */
export default function SellerPackingListPage() {
  const { slotId } = useParams();
  const list = usePackingList(slotId);
  const back = (
    <BackLink to="/seller/orders" className="print:hidden">Incoming orders</BackLink>
  );

  if (list.isPending) return <PageLoading label="Loading the packing list…" />;
  if (list.isError) {
    if (isApiError(list.error) && (list.error.status === 422 || list.error.status === 404)) {
      return (
        <EmptyState title="No such window" action={<Button asChild><Link to="/seller/orders">Incoming orders</Link></Button>}>
          {list.error.message}
        </EmptyState>
      );
    }
    return <ErrorState error={list.error} onRetry={() => list.refetch()} title="The packing list could not be loaded" />;
  }
  return (
    <div className="grid gap-4">
      {back}
      <PackingSheet list={list.data} />
    </div>
  );
}

export function PackingSheet({ list }: { list: PackingList }) {
  return (
    <article className="grid gap-6 bg-white text-foreground print:gap-4 print:text-black" data-testid="packing-list" data-slot-id={list.slot_id}>
      <header className="flex flex-wrap items-start justify-between gap-3 border-b pb-3 print:border-black">
        <div>
          <p className="text-sm font-medium uppercase tracking-wide text-muted-foreground print:text-black">{METHOD_LABEL[list.method]} packing list</p>
          <h1 className="text-2xl font-bold" data-testid="packing-list-label">
            {list.label}
          </h1>
          <p className="text-sm text-muted-foreground print:text-black" data-testid="packing-list-count">
            {plural(list.order_count, "order")} · {plural(list.products.length, "product")}
          </p>
        </div>
        <Button type="button" onClick={() => window.print()} className="print:hidden" data-testid="print-packing-list">
          <Printer aria-hidden="true" /> Print
        </Button>
      </header>

      {list.order_count === 0 ? (
        <p className="text-muted-foreground" data-testid="packing-list-empty">
          No orders to pack for this window yet. Orders appear here once they are paid.
        </p>
      ) : (
        <>
          <section aria-labelledby="totals-heading" className="grid gap-2">
            <h2 id="totals-heading" className="text-lg font-semibold">
              Pick list: every product once
            </h2>
            <table className="w-full border-collapse text-sm" data-testid="packing-products">
              <thead>
                <tr className="border-b text-left print:border-black">
                  <th scope="col" className="w-10 py-1.5 font-medium">
                    <span className="sr-only">Picked</span>
                  </th>
                  <th scope="col" className="py-1.5 font-medium">Product</th>
                  <th scope="col" className="py-1.5 text-right font-medium">Amount</th>
                  <th scope="col" className="py-1.5 text-right font-medium">Orders</th>
                </tr>
              </thead>
              <tbody>
                {list.products.map((product) => (
                  <tr key={product.product_id} className="border-b last:border-0 print:border-black" data-testid="packing-product" data-product-id={product.product_id}>
                    <td className="py-1.5">
                      <span className="inline-block size-4 rounded-sm border border-slate-500 print:border-black" aria-hidden="true" />
                    </td>
                    <td className="py-1.5 font-medium">{product.name}</td>
                    <td className="py-1.5 text-right tabular-nums" data-testid="packing-product-amount">
                      {product.sold_by === "weight" ? formatAmount("weight", product.weight_g) : `${product.quantity ?? 0} × ${product.unit}`}
                    </td>
                    <td className="py-1.5 text-right tabular-nums">{product.orders}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>

          <section aria-labelledby="orders-heading" className="grid gap-3">
            <h2 id="orders-heading" className="text-lg font-semibold">
              Orders, oldest first
            </h2>
            <ol className="grid gap-3">
              {list.orders.map((order) => (
                <PackingOrderCard key={order.order_id} order={order} />
              ))}
            </ol>
          </section>
        </>
      )}
    </article>
  );
}

function PackingOrderCard({ order }: { order: PackingOrder }) {
  const address = order.address;
  return (
    <li className="break-inside-avoid rounded-md border p-3 print:rounded-none print:border-black" data-testid="packing-order" data-order-id={order.order_id}>
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <p className="font-semibold">
          {order.buyer_name} · <span data-testid="order-number">Order {order.number}</span> · {plural(order.item_count, "item")}
        </p>
        <p className="text-xs text-muted-foreground print:text-black">{STATUS_LABEL[order.status]}</p>
      </div>
      {address && (
        <p className="text-sm" data-testid="packing-order-address">
          {formatAddress(address, { includeName: false }).join(", ")}
          {address.phone ? ` · ${address.phone}` : ""}
        </p>
      )}
      <ul className="mt-2 grid gap-1 text-sm">
        {order.lines.map((line) => (
          <li key={line.line_id} className="flex items-start gap-2" data-testid="packing-order-line">
            <span className="mt-0.5 inline-block size-3.5 shrink-0 rounded-sm border border-slate-500 print:border-black" aria-hidden="true" />
            <span>
              <span className="tabular-nums">{line.sold_by === "weight" ? formatAmount("weight", line.weight_g) : `${line.quantity ?? 0} ×`}</span> {line.name}
              {line.substitution === "similar" && <span className="text-muted-foreground print:text-black"> · substitutes OK</span>}
            </span>
          </li>
        ))}
      </ul>
    </li>
  );
}
