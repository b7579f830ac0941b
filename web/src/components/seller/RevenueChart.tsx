import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { SellerAnalytics } from "@/lib/api/models";
import { usePrefersReducedMotion } from "@/lib/hooks";
import { formatCents, toCents } from "@/lib/money";

export interface ChartDay {
  date: string;
  label: string;
  revenueCents: number;
  orders: number;
}

/** The last `days` days ending today, with zero for days that had no sales (the API may omit them). */
export function lastNDays(series: SellerAnalytics["revenue_by_day"], days = 30, today = new Date()): ChartDay[] {
  const byDate = new Map(series.map((day) => [day.date, day]));
  const result: ChartDay[] = [];
  for (let offset = days - 1; offset >= 0; offset--) {
    const date = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() - offset));
    const key = date.toISOString().slice(0, 10);
    const entry = byDate.get(key);
    result.push({
      date: key,
      label: new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric", timeZone: "UTC" }).format(date),
      revenueCents: entry ? toCents(entry.revenue) : 0,
      orders: entry?.orders ?? 0,
    });
  }
  return result;
}

export default function RevenueChart({ data, currency }: { data: ChartDay[]; currency: string }) {
  const reducedMotion = usePrefersReducedMotion();
  const compact = new Intl.NumberFormat(undefined, { style: "currency", currency: currency.toUpperCase(), notation: "compact" });
  return (
    <div className="h-64 w-full" data-testid="revenue-chart">
      <ResponsiveContainer width="100%" height="100%">
        <BarChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
          <CartesianGrid vertical={false} stroke="#e2e8f0" />
          <XAxis dataKey="label" tick={{ fontSize: 12, fill: "#475569" }} interval="preserveStartEnd" minTickGap={16} />
          <YAxis
            tick={{ fontSize: 12, fill: "#475569" }}
            width={56}
            tickFormatter={(cents: number) => compact.format(cents / 100)}
          />
          <Tooltip
            cursor={{ fill: "#f0fdf4" }}
            formatter={(value) => [formatCents(Number(value), currency), "Revenue"]}
            labelFormatter={(label, payload) => {
              const orders = payload?.[0]?.payload?.orders ?? 0;
              return `${label} · ${orders} order${orders === 1 ? "" : "s"}`;
            }}
          />
          <Bar dataKey="revenueCents" fill="#166534" radius={[4, 4, 0, 0]} isAnimationActive={!reducedMotion} />
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}
