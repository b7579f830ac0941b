import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it } from "vitest";
import { deactivationConsequences } from "@/components/admin/DeactivateDialog";
import { sessionStore } from "@/lib/api";
import { mockFetch, renderRoute } from "@/test/utils";
import AdminUsersPage from "../admin/AdminUsersPage";

const admin = { id: "a1", email: "admin@x.test", full_name: "Ada", role: "admin" as const, is_active: true, created_at: "2025-01-01T00:00:00Z", phone: null };
const ann = { ...admin, id: "u1", email: "ann@x.test", full_name: "Ann", role: "shopper" as const };
const entry = {
  id: "e1",
  at: "2026-11-20T10:00:00Z",
  actor_id: "a1",
  actor_email: "admin@x.test",
  action: "activate" as const,
  target_id: "u1",
  reason: "Appeal accepted",
};

describe("Admin users: deactivating with a reason", () => {
  beforeEach(() => sessionStore.set({ accessToken: "a", user: admin }));

  it("requires a reason, counts its characters, says what happens, shows the history and sends the reason", async () => {
    const { calls } = mockFetch([
      { path: "/api/auth/me", body: admin },
      { path: "/api/admin/users", body: { items: [ann], next_cursor: null } },
      { path: "/api/admin/users/u1/audit", body: { items: [entry] } },
      { method: "PATCH", path: "/api/admin/users/u1", body: { ...ann, is_active: false } },
    ]);
    renderRoute(<AdminUsersPage />);
    const row = (await screen.findAllByTestId("user-row"))[0];
    await userEvent.click(within(row).getByTestId("deactivate-open"));
    const dialog = await screen.findByRole("alertdialog", { name: "Deactivate Ann?" });
    expect(within(dialog).getByTestId("deactivate-consequences")).toHaveTextContent("signed out on every device");
    expect(within(dialog).getByTestId("deactivate-consequences")).toHaveTextContent("sellers still pack and deliver them");
    expect(await within(dialog).findByTestId("audit-entry")).toHaveTextContent("Reactivated");
    expect(within(dialog).getByTestId("audit-entry")).toHaveTextContent("Appeal accepted");

    await userEvent.click(within(dialog).getByTestId("deactivate-submit"));
    expect(within(dialog).getByTestId("field-error")).toHaveTextContent("Say why");
    expect(calls.some((call) => call.method === "PATCH")).toBe(false);

    const reason = within(dialog).getByLabelText("Reason");
    expect(reason).toHaveAttribute("maxLength", "500");
    await userEvent.type(reason, "Chargebacks");
    expect(within(dialog).getByTestId("deactivate-reason-count")).toHaveTextContent("11/500 characters");
    await userEvent.click(within(dialog).getByTestId("deactivate-submit"));
    await waitFor(() => expect(screen.queryByRole("alertdialog")).not.toBeInTheDocument());
    expect(calls.filter((call) => call.method === "PATCH").map((call) => call.body)).toEqual([{ is_active: false, reason: "Chargebacks" }]);
  });

  it("tells the truth about a seller's products and open orders", () => {
    const seller = deactivationConsequences("seller").join(" ");
    expect(seller).toContain("products stay listed");
    expect(seller).toContain("not packed within 6 days");
    expect(deactivationConsequences("shopper").join(" ")).not.toContain("products stay listed");
  });
});
