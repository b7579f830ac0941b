import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { BarChart3 } from "lucide-react";
import { useId } from "react";
import { useSearchParams } from "react-router";
import FinanceChart from "@/components/admin/FinanceChart";
import { PageHeader } from "@/components/PageHeader";
import { Price } from "@/components/Price";
import { EmptyState, ErrorState } from "@/components/states";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";
import { api } from "@/lib/api";
import type { FinanceReport } from "@/lib/api/models";
import { formatCents } from "@/lib/money";
import { financeChartData, hasMoney } from "@/lib/payouts";
import { keys } from "@/lib/queries";
import { cn } from "@/lib/utils";

const RANGES = [7, 30, 90] as const;

export default function AdminFinancePage() {
  const [params, setParams] = useSearchParams();
  const asked = Number(params.get("days"));
  const days = (RANGES as readonly number[]).includes(asked) ? asked : 30;
  const report = useQuery({
    queryKey: keys.adminFinance(days),
    queryFn: ({ signal }) => api.adminFinance(days, signal),
    placeholderData: keepPreviousData,
  });

  return (
    <>
      <PageHeader title="Finance" description="Money through the platform by day (UTC): charged to cards, commission kept, refunds and transfers to sellers." />
      <div role="group" aria-label="Period" className="mb-4 flex gap-2" data-testid="finance-range">
        {RANGES.map((range) => (
          <button
            key={range}
            type="button"
            aria-pressed={days === range}
            onClick={() => setParams(range === 30 ? {} : { days: String(range) })}
            className={cn(
              "whitespace-nowrap rounded-full border px-3 py-1.5 text-sm font-medium",
              days === range ? "border-primary bg-primary text-primary-foreground" : "bg-background hover:bg-muted",
            )}
          >
            Last {range} days
          </button>
        ))}
      </div>
      {report.isPending ? (
        <div className="grid gap-4" aria-busy="true" aria-label="Loading finance figures">
          <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-4">
            {Array.from({ length: 4 }, (_, index) => <Skeleton key={index} className="h-24" />)}
          </div>
          <Skeleton className="h-72" />
        </div>
      ) : report.isError ? (
        <ErrorState error={report.error} onRetry={() => report.refetch()} title="Finance figures could not be loaded" />
      ) : (
        <Report report={report.data} days={days} busy={report.isPlaceholderData} />
      )}
    </>
  );
}

function Report({ report, days, busy }: { report: FinanceReport; days: number; busy: boolean }) {
  const tableId = useId();
  const chart = financeChartData(report.days);
  const active = chart.filter(hasMoney);
  const { currency, totals } = report;
  const cards = [
    { label: "Captured", amount: totals.captured, testId: "finance-captured", hint: "Charged to shoppers' cards" },
    { label: "Commission", amount: totals.commission, testId: "finance-commission", hint: "Kept, net of refunds" },
    { label: "Refunds", amount: totals.refunds, testId: "finance-refunds", hint: "Given back to shoppers" },
    { label: "Transfers", amount: totals.transfers, testId: "finance-transfers", hint: "Paid to sellers, net of reversals" },
  ];

  return (
    <div className="grid gap-6" aria-busy={busy}>
      <section aria-label="Totals" className="grid gap-4 sm:grid-cols-2 lg:grid-cols-4">
        {cards.map((card) => (
          <Card key={card.label}>
            <CardContent className="grid gap-1 pt-5">
              <span className="text-sm text-muted-foreground">{card.label}</span>
              <span className="text-2xl font-bold tabular-nums" data-testid={card.testId}>
                <Price amount={card.amount} currency={currency} />
              </span>
              <span className="text-xs text-muted-foreground">{card.hint}</span>
            </CardContent>
          </Card>
        ))}
      </section>

      <Card>
        <CardHeader>
          <CardTitle>Captured by day</CardTitle>
          <CardDescription>Bars: charged to cards. Line: commission kept. The last {days} days.</CardDescription>
        </CardHeader>
        <CardContent>
          {active.length === 0 ? (
            <EmptyState title="No money moved in this period" icon={<BarChart3 className="size-10" />} className="py-8">
              Orders count here once they are packed and their payment is captured.
            </EmptyState>
          ) : (
            <FinanceChart data={chart} currency={currency} describedBy={tableId} />
          )}
        </CardContent>
      </Card>

      {active.length > 0 && (
        <Card>
          <CardHeader>
            <CardTitle>By day</CardTitle>
            <CardDescription>Days without any money moving are left out.</CardDescription>
          </CardHeader>
          <CardContent className="overflow-x-auto">
            <table className="w-full min-w-[32rem] text-sm" data-testid="finance-table">
              <caption id={tableId} className="sr-only">
                Money by day, last {days} days: captured, commission, refunds and transfers
              </caption>
              <thead className="text-left text-muted-foreground">
                <tr>
                  <th scope="col" className="py-2 font-medium">Day</th>
                  <th scope="col" className="py-2 text-right font-medium">Captured</th>
                  <th scope="col" className="py-2 text-right font-medium">Commission</th>
                  <th scope="col" className="py-2 text-right font-medium">Refunds</th>
                  <th scope="col" className="py-2 text-right font-medium">Transfers</th>
                </tr>
              </thead>
              <tbody className="divide-y">
                {[...active].reverse().map((day) => (
                  <tr key={day.date} data-testid="finance-day" data-date={day.date}>
                    <th scope="row" className="py-2 text-left font-normal">
                      <time dateTime={day.date}>{day.label}</time>
                    </th>
                    <td className="py-2 text-right tabular-nums">{formatCents(day.capturedCents, currency)}</td>
                    <td className="py-2 text-right tabular-nums">{formatCents(day.commissionCents, currency)}</td>
                    <td className="py-2 text-right tabular-nums">{formatCents(day.refundsCents, currency)}</td>
                    <td className="py-2 text-right tabular-nums">{formatCents(day.transfersCents, currency)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </CardContent>
        </Card>
      )}
    </div>
  );
}
