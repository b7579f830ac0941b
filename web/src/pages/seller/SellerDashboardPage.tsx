import { useQuery } from "@tanstack/react-query";
import { AlertTriangle, Plus, Wallet } from "lucide-react";
import { Link } from "react-router";
import { AboutCard } from "@/components/seller/AboutCard";
import { FulfilmentCard } from "@/components/seller/FulfilmentCard";
import { PayoutAccountCard } from "@/components/seller/PayoutAccountCard";
import RevenueChart, { lastNDays } from "@/components/seller/RevenueChart";
import { PageHeader } from "@/components/PageHeader";
import { Price } from "@/components/Price";
import { EmptyState, ErrorState } from "@/components/states";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";
import { api } from "@/lib/api";
import { formatCents } from "@/lib/money";
import { countLabel, tabCount } from "@/lib/orders";
import { keys, useSellerOrderCounts } from "@/lib/queries";

export default function SellerDashboardPage() {
  const analytics = useQuery({ queryKey: keys.sellerAnalytics, queryFn: () => api.sellerAnalytics() });
  const toPack = useSellerOrderCounts();

  return (
    <>
      <PageHeader
        title="Dashboard"
        description="Your sales over the last 30 days."
        actions={
          <>
            <Button asChild variant="outline">
              <Link to="/seller/orders?status=confirmed" data-testid="orders-to-pack">
                Orders to pack
                {toPack.data && (
                  <>
                    {" "}
                    <span data-testid="orders-to-pack-count">({countLabel(tabCount(toPack.data, "confirmed"), toPack.data.limit)})</span>
                  </>
                )}
              </Link>
            </Button>
            <Button asChild variant="outline">
              <Link to="/seller/payouts">
                <Wallet aria-hidden="true" /> Payouts
              </Link>
            </Button>
            <Button asChild>
              <Link to="/seller/products/new">
                <Plus aria-hidden="true" /> New product
              </Link>
            </Button>
          </>
        }
      />
      <div className="mb-6 grid gap-4">
        <PayoutAccountCard />
        <FulfilmentCard />
        <AboutCard />
      </div>
      {analytics.isPending ? (
        <div className="grid gap-4" aria-busy="true" aria-label="Loading sales figures">
          <div className="grid gap-4 sm:grid-cols-3">
            {Array.from({ length: 3 }, (_, index) => <Skeleton key={index} className="h-24" />)}
          </div>
          <Skeleton className="h-72" />
        </div>
      ) : analytics.isError ? (
        <ErrorState error={analytics.error} onRetry={() => analytics.refetch()} title="Sales figures could not be loaded" />
      ) : (
        <Dashboard data={analytics.data} />
      )}
    </>
  );
}

function Dashboard({ data }: { data: import("@/lib/api/models").SellerAnalytics }) {
  const days = lastNDays(data.revenue_by_day, 30);
  const orders = days.reduce((sum, day) => sum + day.orders, 0);
  const revenueCents = days.reduce((sum, day) => sum + day.revenueCents, 0);
  const average = orders ? Math.round(revenueCents / orders) : 0;

  return (
    <div className="grid gap-6">
      <div className="grid gap-4 sm:grid-cols-3">
        <Stat label="Revenue" value={<Price amount={data.total_revenue} currency={data.currency} />} testId="total-revenue" />
        <Stat label="Orders" value={orders.toString()} />
        <Stat label="Average order" value={formatCents(average, data.currency)} />
      </div>

      <Card>
        <CardHeader>
          <CardTitle>Revenue by day</CardTitle>
          <CardDescription>Packed and charged orders over the last 30 days, at what was charged.</CardDescription>
        </CardHeader>
        <CardContent>
          {orders === 0 ? (
            <EmptyState title="No sales yet" className="py-8">
              Once shoppers buy your products, daily revenue shows up here. Keep your stock up and add photos to stand out.
            </EmptyState>
          ) : (
            <>
              <RevenueChart data={days} currency={data.currency} />
              {/* The same figures as text, for screen readers and anyone who prefers a table. */}
              <details className="mt-3 text-sm">
                <summary className="cursor-pointer text-muted-foreground">Show as table</summary>
                <table className="mt-2 w-full">
                  <thead>
                    <tr className="text-left text-muted-foreground">
                      <th scope="col">Day</th>
                      <th scope="col" className="text-right">Orders</th>
                      <th scope="col" className="text-right">Revenue</th>
                    </tr>
                  </thead>
                  <tbody>
                    {days.filter((day) => day.orders > 0).map((day) => (
                      <tr key={day.date}>
                        <td>{day.label}</td>
                        <td className="text-right tabular-nums">{day.orders}</td>
                        <td className="text-right tabular-nums">{formatCents(day.revenueCents, data.currency)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </details>
            </>
          )}
        </CardContent>
      </Card>

      <div className="grid gap-6 lg:grid-cols-2">
        <Card>
          <CardHeader>
            <CardTitle>Top products</CardTitle>
          </CardHeader>
          <CardContent>
            {data.top_products.length === 0 ? (
              <p className="text-sm text-muted-foreground">Your best sellers will be listed here after your first orders.</p>
            ) : (
              <ol className="grid gap-2" data-testid="top-products">
                {data.top_products.map((product, index) => (
                  <li key={product.product_id} className="flex items-center justify-between gap-3 text-sm">
                    <span className="flex items-center gap-2">
                      <span className="flex size-6 items-center justify-center rounded-full bg-secondary text-xs font-semibold text-secondary-foreground">{index + 1}</span>
                      <Link to={`/seller/products/${product.product_id}`} className="font-medium hover:underline">
                        {product.name}
                      </Link>
                    </span>
                    <span className="text-right text-muted-foreground">
                      {product.quantity} sold · <Price amount={product.revenue} currency={data.currency} className="text-foreground" />
                    </span>
                  </li>
                ))}
              </ol>
            )}
          </CardContent>
        </Card>
        <Card>
          <CardHeader>
            <CardTitle>Low stock</CardTitle>
          </CardHeader>
          <CardContent>
            {data.low_stock.length === 0 ? (
              <p className="text-sm text-muted-foreground">All your products are well stocked.</p>
            ) : (
              <ul className="grid gap-2" data-testid="low-stock">
                {data.low_stock.map((product) => (
                  <li key={product.product_id} className="flex items-center justify-between gap-3 text-sm">
                    <span className="flex items-center gap-2">
                      <AlertTriangle className="size-4 text-amber-700" aria-hidden="true" />
                      {product.name}
                    </span>
                    <span className="flex items-center gap-3">
                      <span className={product.stock === 0 ? "font-semibold text-destructive" : "text-amber-800"}>
                        {product.stock === 0 ? "Sold out" : `${product.stock} left`}
                      </span>
                      <Link to={`/seller/products/${product.product_id}`} className="font-medium text-primary hover:underline">
                        Restock<span className="sr-only"> {product.name}</span>
                      </Link>
                    </span>
                  </li>
                ))}
              </ul>
            )}
          </CardContent>
        </Card>
      </div>
    </div>
  );
}

function Stat({ label, value, testId }: { label: string; value: React.ReactNode; testId?: string }) {
  return (
    <Card>
      <CardContent className="grid gap-1 pt-5">
        <span className="text-sm text-muted-foreground">{label}</span>
        <span className="text-2xl font-bold tabular-nums" data-testid={testId}>{value}</span>
      </CardContent>
    </Card>
  );
}
