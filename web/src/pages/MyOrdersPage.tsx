import { Package } from "lucide-react";
import { Link } from "react-router";
import { OrderActions } from "@/components/OrderActions";
import { StatusBadge } from "@/components/OrderStatus";
import { PageHeader } from "@/components/PageHeader";
import { Price } from "@/components/Price";
import { EmptyState, ErrorState, LoadMore } from "@/components/states";
import { Button } from "@/components/ui/button";
import { Card, CardContent } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";
import { itemCount } from "@/lib/orders";
import { useMyOrders } from "@/lib/queries";
import { formatDate, shortId } from "@/lib/utils";

export default function MyOrdersPage() {
  const orders = useMyOrders();
  const items = orders.data?.pages.flatMap((page) => page.items) ?? [];

  return (
    <>
      <PageHeader title="My orders" description="Track deliveries and cancel orders that haven't been packed yet." />
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
          <ul className="grid gap-3" data-testid="my-orders">
            {items.map((order) => (
              <li key={order.id}>
                <Card data-testid="order-card" data-order-id={order.id}>
                  <CardContent className="grid gap-3 pt-5 sm:grid-cols-[1fr_auto] sm:items-center">
                    <div className="grid gap-1">
                      <div className="flex flex-wrap items-center gap-2">
                        <Link to={`/orders/${order.id}`} className="font-semibold hover:underline" data-testid="order-link">
                          Order #{shortId(order.id)}
                        </Link>
                        <StatusBadge status={order.status} />
                      </div>
                      <p className="text-sm text-muted-foreground">
                        {order.seller_name} · {formatDate(order.created_at)} · {itemCount(order)} item{itemCount(order) === 1 ? "" : "s"} ·{" "}
                        <Price amount={order.total} currency={order.currency} />
                      </p>
                      <p className="line-clamp-1 text-sm">{order.items.map((line) => line.name).join(", ")}</p>
                    </div>
                    <div className="flex flex-wrap items-center gap-2">
                      <OrderActions order={order} compact />
                      <Button asChild variant="outline" size="sm">
                        <Link to={`/orders/${order.id}`}>Details</Link>
                      </Button>
                    </div>
                  </CardContent>
                </Card>
              </li>
            ))}
          </ul>
          <LoadMore hasMore={Boolean(orders.hasNextPage)} loading={orders.isFetchingNextPage} onLoadMore={() => orders.fetchNextPage()} label="Load older orders" />
        </>
      )}
    </>
  );
}
