import { MapPin, PackageOpen, Truck } from "lucide-react";
import { Link, useParams } from "react-router";
import { OrderActions } from "@/components/OrderActions";
import { OrderTimeline, StatusBadge } from "@/components/OrderStatus";
import { PageHeader } from "@/components/PageHeader";
import { PayNow } from "@/components/PayNow";
import { PayoutSummary, RefundsList } from "@/components/OrderPayout";
import { OrderLines, OrderTotals } from "@/components/OrderReceipt";
import { RefundDialog } from "@/components/RefundDialog";
import { EmptyState, ErrorState, PageLoading } from "@/components/states";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { isApiError } from "@/lib/api/errors";
import { useAuth } from "@/lib/auth";
import { formatAddress } from "@/lib/countries";
import { formatMoney } from "@/lib/money";
import { useOrder } from "@/lib/queries";
import { formatDate } from "@/lib/utils";
import { BackLink } from "@/components/BackLink";
import { plural } from "@/lib/counts";
import { orderLabel } from "@/lib/orders";

export default function OrderPage() {
  const { id } = useParams();
  const { user } = useAuth();
  const order = useOrder(id, { pollWhilePending: true });
  const back =
    user?.role === "seller" ? { to: "/seller/orders", label: "Incoming orders" } : user?.role === "admin" ? { to: "/admin/orders", label: "Find another order" } : { to: "/orders", label: "My orders" };

  if (order.isPending) return <PageLoading label="Loading order…" />;
  if (order.isError) {
    if (isApiError(order.error) && order.error.status === 404) {
      return (
        <EmptyState title="Order not found" action={<Button asChild><Link to={back.to}>{back.label}</Link></Button>}>
          There is no order with that number that you can see.
        </EmptyState>
      );
    }
    return <ErrorState error={order.error} onRetry={() => order.refetch()} />;
  }

  const data = order.data;
  const address = data.shipping_address;
  return (
    <div>
      <BackLink to={back.to} className="mb-4">{back.label}</BackLink>
      <PageHeader
        title={orderLabel(data)}
        description={
          <>
            From {data.seller_name || "seller"} · placed {formatDate(data.created_at, true)} · {plural(data.item_count, "item")}
          </>
        }
        actions={<StatusBadge status={data.status} />}
      />
      <div className="grid gap-6 lg:grid-cols-[1fr_20rem]">
        <div className="grid content-start gap-6">
          <Card>
            <CardHeader>
              <CardTitle>{data.final_total !== null ? "Receipt" : "Items"}</CardTitle>
            </CardHeader>
            <CardContent className="grid gap-4">
              <OrderLines order={data} />
              <div className="border-t pt-3">
                <OrderTotals order={data} />
              </div>
              <RefundsList order={data} />
            </CardContent>
          </Card>
          <Card data-testid="order-fulfilment" data-method={data.fulfilment?.method ?? "seller"}>
            <CardHeader>
              <CardTitle>{data.fulfilment?.method === "pickup" ? "Pickup" : "Delivery"}</CardTitle>
            </CardHeader>
            <CardContent className="grid gap-3 text-sm">
              {data.fulfilment ? (
                <div className="grid gap-1">
                  <p className="flex items-center gap-2 font-medium" data-testid="order-window">
                    {data.fulfilment.method === "pickup" ? <MapPin className="size-4 text-muted-foreground" aria-hidden="true" /> : <Truck className="size-4 text-muted-foreground" aria-hidden="true" />}
                    {data.fulfilment.method === "pickup" ? "Collect" : "Delivered"} {data.fulfilment.label}
                  </p>
                  {data.fulfilment.method === "pickup" && data.fulfilment.address && (
                    <p data-testid="order-pickup-address">
                      From <strong>{data.fulfilment.address}</strong>
                    </p>
                  )}
                </div>
              ) : (
                <p className="text-muted-foreground" data-testid="order-window">
                  Delivery arranged by {data.seller_name || "the seller"}.
                </p>
              )}
              {data.fulfilment?.method !== "pickup" && (
              <address className="not-italic leading-relaxed" data-testid="order-address">
                {/* As the address's country writes it (the API's own line order). */}
                {formatAddress(address).map((line, index) => (
                  <span key={index} className="block">
                    {line}
                  </span>
                ))}
                {address.phone && <span className="block">{address.phone}</span>}
              </address>
              )}
              {data.fulfilment?.method === "pickup" && (
                <p className="text-muted-foreground">
                  For {address.full_name}
                  {address.phone ? `, ${address.phone}` : ""}
                </p>
              )}
            </CardContent>
          </Card>
        </div>
        <div className="grid content-start gap-6">
          {data.status === "pending_payment" && data.user_id === user?.id && (
            <Card data-testid="order-payment">
              <CardHeader>
                <CardTitle>Payment</CardTitle>
              </CardHeader>
              <CardContent className="grid gap-2">
                <PayNow checkoutId={data.checkout_id} />
                <p className="text-xs text-muted-foreground">One payment covers every order of this checkout.</p>
              </CardContent>
            </Card>
          )}
          <Card>
            <CardHeader>
              <CardTitle>Progress</CardTitle>
            </CardHeader>
            <CardContent className="grid gap-4">
              <OrderTimeline order={data} />
              {data.status === "confirmed" && user?.role !== "shopper" && (data.allowed_transitions ?? []).includes("packed") && (
                <Button asChild data-testid="pack-order">
                  <Link to={`/seller/orders/${encodeURIComponent(data.id)}/pack`}>
                    <PackageOpen aria-hidden="true" /> Pack order
                  </Link>
                </Button>
              )}
              <OrderActions order={data} />
            </CardContent>
          </Card>
          {(data.payout || data.refundable !== null) && user?.role !== "shopper" && (
            <Card data-testid="order-money">
              <CardHeader>
                <CardTitle>Payout</CardTitle>
              </CardHeader>
              <CardContent className="grid gap-4">
                {data.payout ? (
                  <PayoutSummary payout={data.payout} currency={data.currency} />
                ) : (
                  <p className="text-sm text-muted-foreground">The payout is worked out when the order is charged.</p>
                )}
                {data.refundable !== null && (
                  <div className="grid justify-items-start gap-2 border-t pt-3">
                    <p className="text-sm text-muted-foreground" data-testid="order-refundable">
                      {data.refundable === "0.00" ? "Refunded in full." : <>Up to {formatMoney(data.refundable, data.currency)} can be refunded.</>}
                    </p>
                    <RefundDialog order={data} />
                  </div>
                )}
              </CardContent>
            </Card>
          )}
          {data.status === "pending_payment" && data.expires_at && (
            <p className="text-xs text-muted-foreground">Reserved until {formatDate(data.expires_at, true)}</p>
          )}
        </div>
      </div>
    </div>
  );
}
