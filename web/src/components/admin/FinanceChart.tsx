import { Bar, CartesianGrid, ComposedChart, Legend, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { formatCents } from "@/lib/money";
import type { FinanceChartDay } from "@/lib/payouts";

/**
 * Captured per day as bars, the commission kept as a line over them. Decorative for assistive
 * technology: the page shows the same figures as a table, which `describedBy` names.
 */
export default function FinanceChart({ data, currency, describedBy }: { data: FinanceChartDay[]; currency: string; describedBy?: string }) {
  const compact = new Intl.NumberFormat(undefined, { style: "currency", currency: currency.toUpperCase(), notation: "compact" });
  const captured = data.reduce((sum, day) => sum + day.capturedCents, 0);
  const label =
    data.length > 0
      ? `Chart of money captured per day from ${data[0].label} to ${data[data.length - 1].label}, ${formatCents(captured, currency)} in all, with the commission kept each day. The table below lists the same figures.`
      : "Chart of money captured per day";
  return (
    <div className="h-72 w-full" data-testid="finance-chart" role="img" aria-label={label} aria-describedby={describedBy}>
      <ResponsiveContainer width="100%" height="100%">
        <ComposedChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
          <CartesianGrid vertical={false} stroke="#e2e8f0" />
          <XAxis dataKey="label" tick={{ fontSize: 12, fill: "#475569" }} interval="preserveStartEnd" minTickGap={16} />
          <YAxis tick={{ fontSize: 12, fill: "#475569" }} width={56} tickFormatter={(cents: number) => compact.format(cents / 100)} />
          <Tooltip
            cursor={{ fill: "#f0fdf4" }}
            formatter={(value, name) => [formatCents(Number(value), currency), name === "commissionCents" ? "Commission" : "Captured"]}
          />
          <Legend formatter={(value) => (value === "commissionCents" ? "Commission kept" : "Captured")} />
          <Bar dataKey="capturedCents" fill="#166534" radius={[4, 4, 0, 0]} isAnimationActive={false} />
          <Line dataKey="commissionCents" stroke="#b45309" strokeWidth={2} dot={false} type="monotone" isAnimationActive={false} />
        </ComposedChart>
      </ResponsiveContainer>
    </div>
  );
}
