import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it } from "vitest";
import { sessionStore } from "@/lib/api";
import { mockFetch, renderRoute } from "@/test/utils";
import AdminFinancePage from "../admin/AdminFinancePage";

const admin = { id: "a1", email: "admin@x.test", full_name: "Ada", role: "admin" as const, is_active: true, created_at: "2025-01-01T00:00:00Z", phone: null };
const zero = { captured: "0.00", commission: "0.00", refunds: "0.00", transfers: "0.00" };

describe("Admin finance", () => {
  beforeEach(() => sessionStore.set({ accessToken: "a", user: admin }));

  it("shows the totals, the chart with a text alternative and a table of the days that moved money; the period is a choice", async () => {
    const { calls } = mockFetch([
      { path: "/api/auth/me", body: admin },
      {
        path: "/api/admin/finance",
        body: () => ({
          currency: "usd",
          days: [
            { date: "2025-03-01", captured: "10.00", commission: "1.00", refunds: "0.00", transfers: "9.00" },
            { date: "2025-03-02", ...zero },
            { date: "2025-03-03", captured: "0.00", commission: "-0.35", refunds: "3.50", transfers: "-3.15" },
          ],
          totals: { captured: "10.00", commission: "0.65", refunds: "3.50", transfers: "5.85" },
        }),
      },
    ]);
    renderRoute(<AdminFinancePage />);
    expect(await screen.findByTestId("finance-captured")).toHaveTextContent("$10.00");
    expect(screen.getByTestId("finance-commission")).toHaveTextContent("$0.65");
    expect(screen.getByTestId("finance-refunds")).toHaveTextContent("$3.50");
    expect(screen.getByTestId("finance-transfers")).toHaveTextContent("$5.85");
    expect(screen.getByRole("img", { name: /money captured per day .* \$10\.00 in all/ })).toBeInTheDocument();
    const days = within(screen.getByTestId("finance-table")).getAllByTestId("finance-day");
    expect(days.map((day) => day.dataset.date)).toEqual(["2025-03-03", "2025-03-01"]);
    expect(days[0]).toHaveTextContent("-$0.35");
    expect(screen.getByRole("button", { name: "Last 30 days" })).toHaveAttribute("aria-pressed", "true");

    await userEvent.click(screen.getByRole("button", { name: "Last 7 days" }));
    await waitFor(() => expect(calls.filter((call) => call.url.pathname === "/api/admin/finance").map((call) => call.url.searchParams.get("days"))).toEqual(["30", "7"]));
    expect(screen.getByRole("button", { name: "Last 7 days" })).toHaveAttribute("aria-pressed", "true");
  });

  it("says so when no money moved", async () => {
    mockFetch([
      { path: "/api/auth/me", body: admin },
      { path: "/api/admin/finance", body: { currency: "usd", days: [{ date: "2025-03-01", ...zero }], totals: zero } },
    ]);
    renderRoute(<AdminFinancePage />);
    expect(await screen.findByTestId("empty-state")).toHaveTextContent("No money moved in this period");
    expect(screen.queryByTestId("finance-table")).not.toBeInTheDocument();
  });
});
