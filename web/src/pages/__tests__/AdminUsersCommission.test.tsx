import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it } from "vitest";
import { sessionStore } from "@/lib/api";
import { mockFetch, renderRoute } from "@/test/utils";
import AdminUsersPage from "../admin/AdminUsersPage";

const admin = { id: "a1", email: "admin@x.test", full_name: "Ada", role: "admin" as const, is_active: true, created_at: "2025-01-01T00:00:00Z", phone: null };
const farm = { id: "s1", email: "farm@x.test", full_name: "Farm", role: "seller" as const, is_active: true, created_at: "2025-01-01T00:00:00Z", phone: null };
const ann = { ...farm, id: "u1", email: "ann@x.test", full_name: "Ann", role: "shopper" as const };
const sellerOut = (commission_bps: number | null) => ({ id: "s1", name: "Farm", email: "farm@x.test", payout_status: "active", account_id: "acct_1", commission_bps, effective_commission_bps: commission_bps ?? 1000, updated_at: null });

describe("Admin users: a seller's commission", () => {
  beforeEach(() => sessionStore.set({ accessToken: "a", user: admin }));

  it("is offered for sellers only, checked 0-50 %, saved in basis points and cleared to the platform's rate", async () => {
    const { calls } = mockFetch([
      { path: "/api/auth/me", body: admin },
      { path: "/api/admin/users", body: { items: [farm, ann], next_cursor: null } },
      { method: "PATCH", path: "/api/admin/sellers/s1", replies: [{ body: sellerOut(1250) }, { body: sellerOut(null) }] },
    ]);
    renderRoute(<AdminUsersPage />);
    const rows = await screen.findAllByTestId("user-row");
    expect(within(rows[1]).queryByTestId("commission-open")).not.toBeInTheDocument();
    await userEvent.click(within(rows[0]).getByTestId("commission-open"));
    const dialog = await screen.findByRole("alertdialog", { name: "Commission for Farm" });
    const input = within(dialog).getByLabelText("Commission (%)");
    await userEvent.type(input, "60");
    await userEvent.click(within(dialog).getByTestId("commission-save"));
    expect(within(dialog).getByTestId("field-error")).toHaveTextContent("at most 50 %");
    expect(calls.some((call) => call.method === "PATCH")).toBe(false);

    await userEvent.clear(input);
    await userEvent.type(input, "12.5");
    await userEvent.click(within(dialog).getByTestId("commission-save"));
    expect(await within(rows[0]).findByTestId("seller-commission")).toHaveTextContent("Commission 12.5% (own rate)");
    expect(calls.filter((call) => call.method === "PATCH").map((call) => call.body)).toEqual([{ commission_bps: 1250 }]);

    await userEvent.click(within(rows[0]).getByTestId("commission-open"));
    await userEvent.click(within(await screen.findByRole("alertdialog")).getByTestId("commission-clear"));
    expect(await within(rows[0]).findByText("Commission 10% (platform)")).toBeInTheDocument();
    expect(calls.filter((call) => call.method === "PATCH").map((call) => call.body)).toEqual([{ commission_bps: 1250 }, { commission_bps: null }]);
  });
});
