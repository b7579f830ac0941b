import { ArrowLeft } from "lucide-react";
import { perUnit } from "@/lib/money";
import { Link, useParams } from "react-router";
import { OrderActions } from "@/components/OrderActions";
import { OrderTimeline, StatusBadge } from "@/components/OrderStatus";
import { PageHeader } from "@/components/PageHeader";
import { PayNow } from "@/components/PayNow";
import { Price } from "@/components/Price";
import { EmptyState, ErrorState, PageLoading } from "@/components/states";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { isApiError } from "@/lib/api/errors";
import { useAuth } from "@/lib/auth";
import { useOrder } from "@/lib/queries";
import { formatDate, shortId } from "@/lib/utils";

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
      <Link to={back.to} className="mb-4 inline-flex items-center gap-1 text-sm font-medium text-primary hover:underline">
        <ArrowLeft className="size-4" aria-hidden="true" /> {back.label}
      </Link>
      <PageHeader
        title={`Order #${shortId(data.id)}`}
        description={<>From {data.seller_name || "seller"} · placed {formatDate(data.created_at, true)}</>}
        actions={<StatusBadge status={data.status} />}
      />
      <div className="grid gap-6 lg:grid-cols-[1fr_20rem]">
        <div className="grid content-start gap-6">
          <Card>
            <CardHeader>
              <CardTitle>Items</CardTitle>
            </CardHeader>
            <CardContent>
              <table className="w-full text-sm">
                <caption className="sr-only">Items in this order</caption>
                <thead className="text-left text-muted-foreground">
                  <tr>
                    <th scope="col" className="pb-2 font-medium">Product</th>
                    <th scope="col" className="pb-2 text-right font-medium">Qty</th>
                    <th scope="col" className="pb-2 text-right font-medium">Total</th>
                  </tr>
                </thead>
                <tbody className="divide-y">
                  {data.items.map((line) => (
                    <tr key={line.product_id}>
                      <td className="py-2">
                        <span className="font-medium">{line.name}</span>
                        <span className="block text-xs text-muted-foreground">
                          <Price amount={line.unit_price} currency={data.currency} /> {perUnit(line.unit)}
                        </span>
                      </td>
                      <td className="py-2 text-right tabular-nums">{line.quantity}</td>
                      <td className="py-2 text-right"><Price amount={line.line_total} currency={data.currency} /></td>
                    </tr>
                  ))}
                </tbody>
                <tfoot>
                  <tr className="border-t font-semibold">
                    <th scope="row" colSpan={2} className="pt-3 text-left">Total</th>
                    <td className="pt-3 text-right" data-testid="order-total"><Price amount={data.total} currency={data.currency} /></td>
                  </tr>
                </tfoot>
              </table>
            </CardContent>
          </Card>
          <Card>
            <CardHeader>
              <CardTitle>Delivery address</CardTitle>
            </CardHeader>
            <CardContent>
              <address className="text-sm not-italic leading-relaxed">
                {address.full_name}
                <br />
                {address.line1}
                {address.line2 && (<><br />{address.line2}</>)}
                <br />
                {address.postal_code} {address.city}, {address.country}
                {address.phone && (<><br />{address.phone}</>)}
              </address>
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
              <OrderActions order={data} />
            </CardContent>
          </Card>
          <p className="text-xs text-muted-foreground">
            Payment: {data.payment_status}
            {data.status === "pending_payment" && data.expires_at && <> · reserved until {formatDate(data.expires_at, true)}</>}
          </p>
        </div>
      </div>
    </div>
  );
}
