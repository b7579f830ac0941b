import { ClipboardList, Inbox, PackageOpen } from "lucide-react";
import { useRef, useState } from "react";
import { Link, useLocation, useNavigate, useSearchParams } from "react-router";
import { OrderActions } from "@/components/OrderActions";
import { StatusBadge } from "@/components/OrderStatus";
import { PageHeader } from "@/components/PageHeader";
import { Price } from "@/components/Price";
import { EmptyState, ErrorState, LoadMore } from "@/components/states";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardContent } from "@/components/ui/card";
import { Select } from "@/components/ui/input";
import { Skeleton } from "@/components/ui/skeleton";
import type { OrderStatus, SellerOrderCounts } from "@/lib/api/models";
import { useAuth } from "@/lib/auth";
import { dayLabel, describeOrderWindow, METHOD_LABEL, sellerWindowDays } from "@/lib/fulfilment";
import { formatMoney } from "@/lib/money";
import { countLabel, EMPTY_TAB, formatAmount, itemCount, orderedAmount, orderLabel, STATUS_LABEL, tabCount, type CountedStatus } from "@/lib/orders";
import type { PackedState } from "./SellerPackPage";
import { useSellerOrders, useSellerSlots } from "@/lib/queries";
import { cn, formatDate } from "@/lib/utils";
import { plural } from "@/lib/counts";

// Sellers see an order once the shopper's card is authorised, so there is no "awaiting payment" tab.
const FILTERS: { value: CountedStatus | ""; label: string }[] = [
  { value: "", label: "All" },
  { value: "confirmed", label: "To pack" },
  { value: "packed", label: "Packed" },
  { value: "out_for_delivery", label: "Out for delivery" },
  { value: "delivered", label: "Delivered" },
  { value: "cancelled", label: "Cancelled" },
];

export default function SellerOrdersPage() {
  const [params, setParams] = useSearchParams();
  const status = (params.get("status") ?? "") as OrderStatus | "";
  const slotDate = params.get("slot_date") ?? "";
  const slotId = params.get("slot_id") ?? "";
  const orders = useSellerOrders(status, { slotDate, slotId });
  const items = orders.data?.pages.flatMap((page) => page.items) ?? [];
  // The first page counts every tab; the last counts stay on the tabs while another tab loads.
  const counts = orders.data?.pages[0]?.counts ?? null;
  const [shownCounts, setShownCounts] = useState<SellerOrderCounts | null>(null);
  if (counts && counts !== shownCounts) setShownCounts(counts);
  // After a move the order may leave this tab (and its buttons with it): focus goes to the tab, whose
  // count follows the move.
  const tabs = useRef<HTMLUListElement>(null);
  const focusTab = () => tabs.current?.querySelector<HTMLButtonElement>('[aria-pressed="true"]')?.focus();
  // The windows to filter by: the seller's upcoming ones, and those their recent orders were placed for.
  const { user } = useAuth();
  const upcoming = useSellerSlots(user?.id);
  const recent = useSellerOrders("");
  const windowDays = sellerWindowDays(
    upcoming.data?.items ?? [],
    [...(recent.data?.pages.flatMap((page) => page.items) ?? []), ...items].map((order) => order.fulfilment),
    slotId ? [slotId] : [],
  );
  if (slotDate && !windowDays.some((day) => day.date === slotDate)) windowDays.push({ date: slotDate, label: dayLabel(slotDate), windows: [] });
  const windowsOfDay = windowDays.find((day) => day.date === slotDate)?.windows ?? [];
  /** The query string with `changes` applied (empty values dropped). */
  const withParams = (changes: Record<string, string>) => {
    const next = new URLSearchParams(params);
    for (const [key, value] of Object.entries(changes)) {
      if (value) next.set(key, value);
      else next.delete(key);
    }
    return next;
  };
  const filtered = Boolean(slotDate || slotId);
  const location = useLocation();
  const navigate = useNavigate();
  const packed = (location.state as PackedState | null)?.packed;

  return (
    <>
      <PageHeader title="Incoming orders" description="Confirmed orders to pack, dispatch and deliver. Shoppers see every step." />
      {packed && (
        <Alert
          tone="success"
          title={`${orderLabel(packed)} packed`}
          className="mb-4"
          data-testid="packed-confirmation"
          action={
            <div className="flex flex-wrap gap-2">
              <Button asChild size="sm" variant="outline">
                <Link to={`/orders/${packed.id}`}>See the order</Link>
              </Button>
              <Button size="sm" variant="ghost" onClick={() => navigate(location.pathname + location.search, { replace: true, state: null })}>
                Dismiss
              </Button>
            </div>
          }
        >
          {packed.finalTotal ? <>The shopper is charged {formatMoney(packed.finalTotal, packed.currency)}</> : <>The packing is saved</>}
          {packed.released && packed.released !== "0.00" ? <>; {formatMoney(packed.released, packed.currency)} of the hold is released.</> : "."}
        </Alert>
      )}
      <nav aria-label="Filter by status" className="-mx-4 mb-4 overflow-x-auto px-4">
        <ul ref={tabs} className="flex gap-2" data-testid="status-filter">
          {FILTERS.map((filter) => (
            <li key={filter.value}>
              <button
                type="button"
                aria-pressed={status === filter.value}
                onClick={() => setParams(withParams({ status: filter.value }))}
                className={cn(
                  "whitespace-nowrap rounded-full border px-3 py-1.5 text-sm font-medium",
                  status === filter.value ? "border-primary bg-primary text-primary-foreground" : "bg-background hover:bg-muted",
                )}
              >
                {filter.label}
                {shownCounts && (
                  <>
                    {" "}
                    <span data-testid="status-count" data-status={filter.value || "all"}>
                      ({countLabel(tabCount(shownCounts, filter.value), shownCounts.limit)})
                    </span>
                  </>
                )}
              </button>
            </li>
          ))}
        </ul>
      </nav>
      <section className="mb-4 grid gap-2 rounded-lg border bg-card p-3" aria-label="Filter by delivery or pickup window" data-testid="window-filter">
        <div className="flex flex-wrap items-end gap-3">
          <label className="grid gap-1 text-sm">
            <span className="font-medium">Window day</span>
            <Select
              className="w-auto min-w-44"
              value={slotDate}
              onChange={(event) => setParams(withParams({ slot_date: event.target.value, slot_id: "" }))}
              data-testid="slot-date-select"
            >
              <option value="">All days</option>
              {windowDays.map((day) => (
                <option key={day.date} value={day.date}>
                  {day.label}
                </option>
              ))}
            </Select>
          </label>
          <label className="grid gap-1 text-sm">
            <span className="font-medium">Window</span>
            <Select
              className="w-auto min-w-52"
              value={slotId}
              disabled={!slotDate}
              onChange={(event) => setParams(withParams({ slot_id: event.target.value }))}
              data-testid="slot-select"
            >
              <option value="">{slotDate ? "Every window that day" : "Choose a day first"}</option>
              {windowsOfDay.map((window) => (
                <option key={window.slotId} value={window.slotId}>
                  {window.time} · {METHOD_LABEL[window.method]}
                </option>
              ))}
            </Select>
          </label>
          {slotId && (
            <Button asChild variant="outline" data-testid="packing-list-link">
              <Link to={`/seller/packing-list/${encodeURIComponent(slotId)}`}>
                <ClipboardList aria-hidden="true" /> Packing list
              </Link>
            </Button>
          )}
          {filtered && (
            <Button variant="ghost" onClick={() => setParams(withParams({ slot_date: "", slot_id: "" }))}>
              All windows
            </Button>
          )}
        </div>
        {slotDate && !slotId && windowsOfDay.length > 0 && (
          <ul className="flex flex-wrap gap-2 text-sm" aria-label={`Packing lists for ${dayLabel(slotDate)}`}>
            {windowsOfDay.map((window) => (
              <li key={window.slotId}>
                <Link
                  to={`/seller/packing-list/${encodeURIComponent(window.slotId)}`}
                  className="inline-flex items-center gap-1 rounded-md border px-2 py-1 font-medium text-primary hover:bg-muted"
                  data-testid="window-packing-link"
                  data-slot-id={window.slotId}
                >
                  <ClipboardList className="size-4" aria-hidden="true" /> Packing list {window.time} {METHOD_LABEL[window.method].toLowerCase()}
                </Link>
              </li>
            ))}
          </ul>
        )}
      </section>
      {orders.isPending ? (
        <div className="grid gap-3" aria-busy="true" aria-label="Loading orders">
          {Array.from({ length: 3 }, (_, index) => <Skeleton key={index} className="h-32" />)}
        </div>
      ) : orders.isError ? (
        <ErrorState error={orders.error} onRetry={() => orders.refetch()} title="Orders could not be loaded" />
      ) : items.length === 0 ? (
        <EmptyState
          title={
            filtered ? "No orders for this window" : status === "confirmed" ? "No orders to pack" : status ? `No orders ${STATUS_LABEL[status].toLowerCase()}` : "No orders yet"
          }
          icon={<Inbox className="size-10" />}
        >
          {filtered ? "Orders shoppers place for it will show up here." : (EMPTY_TAB[status as CountedStatus | ""] ?? "Try another filter.")}
        </EmptyState>
      ) : (
        <>
          <ul className="grid gap-3" data-testid="seller-orders">
            {items.map((order) => (
              <li key={order.id}>
                <Card data-testid="seller-order" data-order-id={order.id}>
                  <CardContent className="grid gap-3 pt-5 md:grid-cols-[1fr_auto] md:items-start">
                    <div className="grid gap-1">
                      <div className="flex flex-wrap items-center gap-2">
                        <Link to={`/orders/${order.id}`} className="font-semibold hover:underline">
                          <span data-testid="order-number">{orderLabel(order)}</span>
                        </Link>
                        <StatusBadge status={order.status} />
                      </div>
                      <p className="text-sm text-muted-foreground">
                        {formatDate(order.created_at, true)} · for {order.shipping_address.full_name}, {order.shipping_address.city} ·{" "}
                        {plural(itemCount(order), "item")} ·{" "}
                        {order.final_total ? "charged " : "estimate "}
                        <Price amount={order.total} currency={order.currency} />
                        {order.status === "confirmed" && (
                          <>
                            {" "}· authorised <Price amount={order.authorized_amount} currency={order.currency} />
                          </>
                        )}
                      </p>
                      {order.fulfilment && (
                        <p className="flex flex-wrap items-center gap-x-2 text-sm" data-testid="seller-order-window">
                          <span className="font-medium">{describeOrderWindow(order.fulfilment)}</span>
                          <Link
                            to={`/seller/packing-list/${encodeURIComponent(order.fulfilment.slot_id)}`}
                            className="text-primary hover:underline"
                            data-testid="order-packing-link"
                          >
                            Packing list
                          </Link>
                        </p>
                      )}
                      <ul className="text-sm">
                        {order.items.map((line) => (
                          <li key={line.line_id || line.product_id}>
                            {line.sold_by === "weight" ? formatAmount("weight", orderedAmount(line)) : `${line.quantity} ×`} {line.name}{" "}
                            <span className="text-muted-foreground">({line.sold_by === "weight" ? "weighed" : line.unit})</span>
                            {line.substitution === "similar" && <span className="ml-1 text-xs text-green-800">· substitutes OK</span>}
                          </li>
                        ))}
                      </ul>
                    </div>
                    <div className="grid justify-items-start gap-2 md:justify-items-end">
                      {order.status === "confirmed" && (order.allowed_transitions ?? []).includes("packed") && (
                        <Button asChild data-testid="pack-order">
                          <Link to={`/seller/orders/${encodeURIComponent(order.id)}/pack`}>
                            <PackageOpen aria-hidden="true" /> Pack order
                          </Link>
                        </Button>
                      )}
                      <OrderActions order={order} compact onMoved={focusTab} />
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
