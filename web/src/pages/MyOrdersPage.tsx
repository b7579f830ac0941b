import { Package } from "lucide-react";
import { Link } from "react-router";
import { OrderActions } from "@/components/OrderActions";
import { StatusBadge } from "@/components/OrderStatus";
import { PageHeader } from "@/components/PageHeader";
import { PayNow } from "@/components/PayNow";
import { Price } from "@/components/Price";
import { EmptyState, ErrorState, LoadMore } from "@/components/states";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";
import type { Order } from "@/lib/api/models";
import { groupByCheckout, type Trip } from "@/lib/checkouts";
import { describeOrderWindow } from "@/lib/fulfilment";
import { formatCents } from "@/lib/money";
import { formatAmount, itemCount, orderedAmount, orderLabel, PAYMENT_STATUS_LABEL } from "@/lib/orders";
import { useMyOrders } from "@/lib/queries";
import { formatDate } from "@/lib/utils";
import { plural } from "@/lib/counts";

export default function MyOrdersPage() {
  const orders = useMyOrders();
  const items = orders.data?.pages.flatMap((page) => page.items) ?? [];
  const trips = groupByCheckout(items);

  return (
    <>
      <PageHeader title="My orders" description="One entry per checkout, with each seller's order in it. Track deliveries and cancel orders that haven't been packed yet." />
      {orders.isPending ? (
        <div className="grid gap-3" aria-busy="true" aria-label="Loading orders">
          {Array.from({ length: 3 }, (_, index) => <Skeleton key={index} className="h-28" />)}
        </div>
      ) : orders.isError ? (
        <ErrorState error={orders.error} onRetry={() => orders.refetch()} title="Your orders could not be loaded" />
      ) : items.length === 0 ? (
        <EmptyState
          title="No orders yet"
          icon={<Package className="size-10" />}
          action={<Button asChild><Link to="/products">Start shopping</Link></Button>}
        >
          When you check out, each seller's part of your basket shows up here with its delivery status.
        </EmptyState>
      ) : (
        <>
          <ul className="grid gap-4" data-testid="my-orders" aria-busy={orders.isFetching || undefined}>
            {trips.map((trip) => (
              <li key={trip.checkoutId}>
                <TripCard trip={trip} />
              </li>
            ))}
          </ul>
          <LoadMore hasMore={Boolean(orders.hasNextPage)} loading={orders.isFetchingNextPage} onLoadMore={() => orders.fetchNextPage()} label="Load older orders" />
        </>
      )}
    </>
  );
}

/** One shopping trip: its per-seller orders, and "Pay now" while its payment is open. */
function TripCard({ trip }: { trip: Trip }) {
  const sellers = trip.orders.length;
  return (
    <Card data-testid="checkout-group" data-checkout-id={trip.checkoutId} aria-label={`Checkout of ${formatDate(trip.placedAt, true)}`}>
      <CardHeader className="flex-row flex-wrap items-baseline justify-between gap-2 border-b pb-3">
        <h2 className="font-semibold">
          Checkout of {formatDate(trip.placedAt, true)}
        </h2>
        <p className="text-sm text-muted-foreground">
          {sellers === 1 ? "1 seller" : `${sellers} sellers`} · {formatCents(trip.totalCents, trip.currency)}
        </p>
      </CardHeader>
      <CardContent className="grid gap-3 pt-3">
        {trip.payable && <PayNow checkoutId={trip.checkoutId} orderCount={trip.awaiting.length} />}
        <ul className="grid divide-y">
          {trip.orders.map((order) => (
            <li key={order.id} className="py-3 first:pt-0 last:pb-0">
              <OrderRow order={order} />
            </li>
          ))}
        </ul>
      </CardContent>
    </Card>
  );
}

function OrderRow({ order }: { order: Order }) {
  const count = itemCount(order);
  return (
    <div className="grid gap-3 sm:grid-cols-[1fr_auto] sm:items-center" data-testid="order-card" data-order-id={order.id}>
      <div className="grid gap-1">
        <div className="flex flex-wrap items-center gap-2">
          <Link to={`/orders/${order.id}`} className="font-medium hover:underline" data-testid="order-link">
            {order.seller_name || "Seller"} · <span data-testid="order-number">{orderLabel(order)}</span>
          </Link>
          <StatusBadge status={order.status} />
        </div>
        <p className="text-sm text-muted-foreground" data-testid="order-money">
          {plural(count, "item")} ·{" "}
          {order.final_total !== null ? (
            <>
              charged <Price amount={order.final_total} currency={order.currency} className="font-medium text-foreground" />
              {order.released !== null && order.released !== "0.00" && (
                <>
                  {" "}· <Price amount={order.released} currency={order.currency} /> released
                </>
              )}
            </>
          ) : (
            <>
              estimate <Price amount={order.estimated_total} currency={order.currency} />
            </>
          )}
          {order.delivery_fee !== "0.00" && (
            <>
              {" "}(incl. <Price amount={order.delivery_fee} currency={order.currency} /> delivery)
            </>
          )}
          {order.payment_status !== "unpaid" && <> · Payment: {PAYMENT_STATUS_LABEL[order.payment_status]}</>}
        </p>
        {order.fulfilment && (
          <p className="text-sm" data-testid="order-card-window">
            {describeOrderWindow(order.fulfilment)}
          </p>
        )}
        <p className="line-clamp-1 text-sm">
          {order.items.map((line) => (line.sold_by === "weight" ? `${line.name} (${formatAmount("weight", orderedAmount(line))})` : line.name)).join(", ")}
        </p>
      </div>
      <div className="flex flex-wrap items-center gap-2">
        <OrderActions order={order} compact />
        <Button asChild variant="outline" size="sm">
          <Link to={`/orders/${order.id}`}>Details</Link>
        </Button>
      </div>
    </div>
  );
}
