import { useInfiniteQuery } from "@tanstack/react-query";
import { Download, Wallet } from "lucide-react";
import { useState } from "react";
import { Link } from "react-router";
import { PageHeader } from "@/components/PageHeader";
import { Price } from "@/components/Price";
import { EmptyState, ErrorState, LoadMore } from "@/components/states";
import { Alert } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";
import { api } from "@/lib/api";
import { errorMessage } from "@/lib/api/errors";
import type { PayoutRow, PayoutTotals } from "@/lib/api/models";
import { CSV_MAX_PAGES, fetchAllPayouts, formatRate, PAYOUT_STATUS_LABEL, PAYOUT_STATUS_TONE, payoutsCsv } from "@/lib/payouts";
import { keys } from "@/lib/queries";
import { formatDate } from "@/lib/utils";

const PAGE_SIZE = 25;
const CSV_PAGE_SIZE = 100;

export default function SellerPayoutsPage() {
  const payouts = useInfiniteQuery({
    queryKey: keys.sellerPayouts,
    queryFn: ({ pageParam, signal }) => api.sellerPayouts({ limit: PAGE_SIZE, cursor: pageParam }, signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page) => page.next_cursor ?? undefined,
  });
  const first = payouts.data?.pages[0];
  const items = payouts.data?.pages.flatMap((page) => page.items) ?? [];

  return (
    <>
      <PageHeader
        title="Payouts"
        description="What each charged order pays you: the charge, the platform's commission and what is transferred to you."
        actions={first && items.length > 0 ? <CsvDownload /> : undefined}
      />
      {payouts.isPending ? (
        <div className="grid gap-4" aria-busy="true" aria-label="Loading payouts">
          <div className="grid gap-4 sm:grid-cols-3 lg:grid-cols-5">
            {Array.from({ length: 5 }, (_, index) => <Skeleton key={index} className="h-24" />)}
          </div>
          <Skeleton className="h-64" />
        </div>
      ) : payouts.isError ? (
        <ErrorState error={payouts.error} onRetry={() => payouts.refetch()} title="Payouts could not be loaded" />
      ) : items.length === 0 ? (
        <EmptyState title="No payouts yet" icon={<Wallet className="size-10" />} action={<Button asChild variant="outline"><Link to="/seller/orders?status=confirmed">Orders to pack</Link></Button>}>
          No payouts yet: you're paid when an order you packed is charged.
        </EmptyState>
      ) : (
        <div className="grid gap-6">
          <Totals totals={first!.totals} currency={first!.currency} />
          <div className="overflow-x-auto rounded-lg border">
            <table className="w-full min-w-[52rem] text-sm" data-testid="payouts-table">
              <caption className="sr-only">Payouts per order, newest first</caption>
              <thead className="bg-muted text-left">
                <tr>
                  <th scope="col" className="px-4 py-2 font-medium">Date</th>
                  <th scope="col" className="px-4 py-2 font-medium">Order</th>
                  <th scope="col" className="px-4 py-2 text-right font-medium">Gross</th>
                  <th scope="col" className="px-4 py-2 text-right font-medium">Commission</th>
                  <th scope="col" className="px-4 py-2 text-right font-medium">Net</th>
                  <th scope="col" className="px-4 py-2 text-right font-medium">Reversed</th>
                  <th scope="col" className="px-4 py-2 text-right font-medium">Refunded</th>
                  <th scope="col" className="px-4 py-2 font-medium">Status</th>
                </tr>
              </thead>
              <tbody className="divide-y">
                {items.map((row) => (
                  <Row key={row.order_id} row={row} currency={first!.currency} />
                ))}
              </tbody>
            </table>
          </div>
          <LoadMore hasMore={Boolean(payouts.hasNextPage)} loading={payouts.isFetchingNextPage} onLoadMore={() => payouts.fetchNextPage()} />
        </div>
      )}
    </>
  );
}

function Totals({ totals, currency }: { totals: PayoutTotals; currency: string }) {
  const cards: { label: string; amount: string; testId: string; hint?: string }[] = [
    { label: "Gross", amount: totals.gross, testId: "payouts-gross", hint: `${totals.orders} order${totals.orders === 1 ? "" : "s"} charged` },
    { label: "Commission", amount: totals.commission, testId: "payouts-commission", hint: "Kept by SmartGrocer" },
    { label: "Net", amount: totals.net, testId: "payouts-net", hint: "Your share" },
    { label: "Reversed", amount: totals.reversed, testId: "payouts-reversed", hint: "Taken back by refunds" },
    { label: "Paid", amount: totals.paid, testId: "payouts-paid", hint: "Already transferred" },
  ];
  return (
    <section aria-label="Totals" className="grid gap-4 sm:grid-cols-3 lg:grid-cols-5">
      {cards.map((card) => (
        <Card key={card.label}>
          <CardContent className="grid gap-1 pt-5">
            <span className="text-sm text-muted-foreground">{card.label}</span>
            <span className="text-2xl font-bold tabular-nums" data-testid={card.testId}>
              <Price amount={card.amount} currency={currency} />
            </span>
            {card.hint && <span className="text-xs text-muted-foreground">{card.hint}</span>}
          </CardContent>
        </Card>
      ))}
    </section>
  );
}

function Row({ row, currency }: { row: PayoutRow; currency: string }) {
  const muted = (amount: string) => (amount === "0.00" ? "text-muted-foreground" : undefined);
  return (
    <tr data-testid="payout-row" data-order-id={row.order_id}>
      <td className="whitespace-nowrap px-4 py-3">{formatDate(row.captured_at)}</td>
      <td className="px-4 py-3">
        <Link to={`/orders/${encodeURIComponent(row.order_id)}`} className="font-medium text-primary hover:underline">
          Order {row.order_number}
        </Link>
      </td>
      <td className="px-4 py-3 text-right"><Price amount={row.gross} currency={currency} /></td>
      <td className="px-4 py-3 text-right">
        <Price amount={row.commission} currency={currency} />
        <span className="block text-xs text-muted-foreground">at {formatRate(row.commission_bps)}</span>
      </td>
      <td className="px-4 py-3 text-right font-semibold" data-testid="payout-net"><Price amount={row.net} currency={currency} /></td>
      <td className="px-4 py-3 text-right"><Price amount={row.reversed} currency={currency} className={muted(row.reversed)} /></td>
      <td className="px-4 py-3 text-right"><Price amount={row.refunded} currency={currency} className={muted(row.refunded)} /></td>
      <td className="px-4 py-3">
        <Badge tone={PAYOUT_STATUS_TONE[row.status]} data-testid="payout-status" data-status={row.status}>
          {PAYOUT_STATUS_LABEL[row.status]}
        </Badge>
      </td>
    </tr>
  );
}

/** Fetches every page (bounded), builds the CSV and saves it; says how far it got while it works. */
function CsvDownload() {
  const [progress, setProgress] = useState<string | null>(null);
  const [message, setMessage] = useState<{ tone: "error" | "warning"; text: string } | null>(null);

  async function download() {
    setMessage(null);
    setProgress("Preparing CSV…");
    try {
      const { rows, currency, complete } = await fetchAllPayouts((cursor) => api.sellerPayouts({ limit: CSV_PAGE_SIZE, cursor }), {
        onProgress: (pages, count) => setProgress(`Preparing CSV… ${count} order${count === 1 ? "" : "s"} (page ${pages})`),
      });
      saveFile(payoutsCsv(rows, currency), `smartgrocer-payouts-${new Date().toISOString().slice(0, 10)}.csv`);
      if (!complete) {
        setMessage({ tone: "warning", text: `The CSV holds your ${rows.length} most recent orders (${CSV_MAX_PAGES} pages); older ones were left out.` });
      }
    } catch (error) {
      setMessage({ tone: "error", text: `The CSV could not be prepared: ${errorMessage(error)}` });
    } finally {
      setProgress(null);
    }
  }

  return (
    <div className="grid justify-items-end gap-2">
      <Button variant="outline" onClick={download} loading={progress !== null} data-testid="download-csv">
        {progress === null && <Download aria-hidden="true" />}
        {progress ?? "Download CSV"}
      </Button>
      <span className="sr-only" role="status" aria-live="polite">
        {progress ?? ""}
      </span>
      {message && (
        <Alert tone={message.tone} className="max-w-sm" data-testid="csv-message">
          {message.text}
        </Alert>
      )}
    </div>
  );
}

function saveFile(text: string, name: string) {
  // A byte-order mark so spreadsheet programs read the file as UTF-8.
  const url = URL.createObjectURL(new Blob(["\uFEFF", text], { type: "text/csv;charset=utf-8" }));
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
