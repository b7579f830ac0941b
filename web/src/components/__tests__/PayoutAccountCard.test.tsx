import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { sessionStore } from "@/lib/api";
import type { PayoutAccount } from "@/lib/api/models";
import { mockFetch, renderRoute } from "@/test/utils";
import { navigateTo, PayoutAccountCard } from "../seller/PayoutAccountCard";

const seller = { id: "s1", email: "farm@x.test", full_name: "Farm", role: "seller" as const, is_active: true, created_at: "2025-01-01T00:00:00Z", phone: null };
const account = (overrides: Partial<PayoutAccount> = {}): PayoutAccount => ({ status: "none", account_id: null, commission_bps: 1000, platform_commission_bps: 1000, updated_at: null, ...overrides });

describe("Payout account card", () => {
  beforeEach(() => sessionStore.set({ accessToken: "a", user: seller }));
  afterEach(() => vi.restoreAllMocks());

  it("asks a seller without an account to set up payouts and sends them to the onboarding page", async () => {
    const assign = vi.spyOn(navigateTo, "assign").mockImplementation(() => {});
    const { calls } = mockFetch([
      { path: "/api/auth/me", body: seller },
      { path: "/api/seller/payouts/account", body: account() },
      { method: "POST", path: "/api/seller/payouts/onboarding", body: { url: "/local/onboarding/acct_1" } },
    ]);
    renderRoute(<PayoutAccountCard />, { path: "/seller" });
    expect(await screen.findByTestId("payout-account-status")).toHaveTextContent("Set up payouts to start selling");
    expect(screen.getByTestId("payout-commission-rate")).toHaveTextContent("Commission: 10% of what is charged");
    await userEvent.click(screen.getByRole("button", { name: "Set up payouts" }));
    await waitFor(() => expect(assign).toHaveBeenCalledWith("/local/onboarding/acct_1"));
    expect(calls.filter((call) => call.method === "POST")).toHaveLength(1);
    expect(screen.getByTestId("payout-setup")).toBeDisabled();
  });

  it("says Stripe is checking a pending account, and shows an error if the link cannot be made", async () => {
    mockFetch([
      { path: "/api/auth/me", body: seller },
      { path: "/api/seller/payouts/account", body: account({ status: "pending", account_id: "acct_1" }) },
      { method: "POST", path: "/api/seller/payouts/onboarding", status: 503, body: { error: { code: "unavailable", message: "The payment provider is not responding." } } },
    ]);
    renderRoute(<PayoutAccountCard />, { path: "/seller" });
    expect(await screen.findByTestId("payout-account-status")).toHaveTextContent("Stripe is checking your details");
    await userEvent.click(screen.getByRole("button", { name: "Continue set-up" }));
    expect(await screen.findByTestId("onboarding-error")).toHaveTextContent("The payment provider is not responding.");
  });

  it("reads the account again on return from onboarding and shows it active with the seller's own rate", async () => {
    const { calls } = mockFetch([
      { path: "/api/auth/me", body: seller },
      { path: "/api/seller/payouts/account", replies: [{ body: account({ status: "active", account_id: "acct_1", commission_bps: 800 }) }] },
    ]);
    const { router } = renderRoute(<PayoutAccountCard />, { path: "/seller", url: "/seller?payouts=done" });
    expect(await screen.findByTestId("payout-account-status")).toHaveTextContent("Payouts active");
    expect(screen.getByTestId("payout-commission-rate")).toHaveTextContent("Commission: 8% of what is charged (your own rate; the platform's is 10%)");
    await waitFor(() => expect(router.state.location.search).toBe(""));
    expect(calls.filter((call) => call.url.pathname === "/api/seller/payouts/account").length).toBeGreaterThanOrEqual(1);
  });
});
