import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it } from "vitest";
import { sessionStore } from "@/lib/api";
import type { FulfilmentSettings } from "@/lib/api/models";
import { mockFetch, renderRoute } from "@/test/utils";
import SellerFulfilmentPage from "../seller/SellerFulfilmentPage";

const seller = { id: "s1", email: "farm@x.test", full_name: "Greenfields Farm", role: "seller" as const, is_active: true, created_at: "2025-01-01T00:00:00Z", phone: null };
const empty: FulfilmentSettings = {
  configured: false,
  timezone: "UTC",
  delivery: { enabled: false, fee: "0.00", free_over: null, min_order: "0.00", cutoff_hours: 0, slots: [] },
  pickup: { enabled: false, address: null, cutoff_hours: 0, slots: [] },
};
const saved: FulfilmentSettings = {
  configured: true,
  timezone: "America/New_York",
  delivery: { enabled: true, fee: "4.00", free_over: "40.00", min_order: "15.00", cutoff_hours: 12, slots: [{ weekday: 1, start: "09:00", end: "12:00", capacity: 20 }] },
  pickup: { enabled: false, address: null, cutoff_hours: 0, slots: [] },
};

describe("SellerFulfilmentPage", { timeout: 20_000 }, () => {
  beforeEach(() => sessionStore.set({ accessToken: "a", user: seller }));

  it("explains windows when none are set, checks the slots before sending and saves", async () => {
    const { calls } = mockFetch([
      { path: "/api/auth/me", body: seller },
      { path: "/api/seller/fulfilment", body: empty },
      { method: "PUT", path: "/api/seller/fulfilment", body: { ...saved, timezone: "Europe/London" } },
    ]);
    renderRoute(<SellerFulfilmentPage />, { path: "/seller/fulfilment" });
    expect(await screen.findByTestId("fulfilment-empty")).toHaveTextContent("Windows are the times you deliver");

    await userEvent.selectOptions(screen.getByTestId("timezone"), "Europe/London");
    const delivery = screen.getByTestId("delivery-section");
    await userEvent.click(within(delivery).getByLabelText("Offer delivery"));
    await userEvent.type(within(delivery).getByLabelText("Delivery fee"), "4");
    await userEvent.click(screen.getByTestId("add-slot-delivery"));
    await userEvent.click(screen.getByTestId("add-slot-delivery"));
    // The second row starts the next day; put it on Monday too, overlapping the first, and end it before it starts.
    await userEvent.selectOptions(screen.getByLabelText("Day of delivery window 2"), "0");
    await userEvent.clear(screen.getByLabelText("Start of delivery window 2"));
    await userEvent.type(screen.getByLabelText("Start of delivery window 2"), "10:00");
    await userEvent.clear(screen.getByLabelText("Orders delivery window 2 takes"));
    await userEvent.type(screen.getByLabelText("Orders delivery window 2 takes"), "600");
    await userEvent.click(screen.getByTestId("save-fulfilment"));

    const problems = screen.getAllByTestId("slot-errors")[0];
    expect(problems).toHaveTextContent("Start: Overlaps the Monday window 09:00-12:00 (number 1 in the list).");
    expect(problems).toHaveTextContent("Orders: A whole number of orders from 1 to 500.");
    expect(screen.getByLabelText("Orders delivery window 2 takes")).toHaveAttribute("aria-invalid", "true");
    expect(calls.some((call) => call.method === "PUT")).toBe(false);

    await userEvent.click(screen.getByLabelText("Remove delivery window 2"));
    await userEvent.click(screen.getByTestId("save-fulfilment"));
    expect(await screen.findByTestId("fulfilment-saved")).toHaveTextContent("Shoppers can now choose from your 1 window a week.");
    const put = calls.find((call) => call.method === "PUT")!;
    expect(put.body).toEqual({
      timezone: "Europe/London",
      delivery: { enabled: true, fee: "4.00", free_over: null, min_order: "0.00", cutoff_hours: 0, slots: [{ weekday: 0, start: "09:00", end: "12:00", capacity: 20 }] },
      pickup: { enabled: false, address: null, cutoff_hours: 0, slots: [] },
    });
  });

  it("shows the server's 422 problems next to their fields, in words", async () => {
    mockFetch([
      { path: "/api/auth/me", body: seller },
      { path: "/api/seller/fulfilment", body: saved },
      {
        method: "PUT",
        path: "/api/seller/fulfilment",
        status: 422,
        body: {
          error: {
            code: "invalid_fulfilment",
            message: "delivery.slots.0.end: must be after the start",
            details: [
              { field: "delivery.slots.0.end", message: "must be after the start (09:00); a window cannot run past midnight" },
              { field: "delivery.fee", message: "must be an amount from 0.00 to 1000.00" },
              { field: "pickup", message: "must be an object with the settings for pickup" },
            ],
          },
        },
      },
    ]);
    renderRoute(<SellerFulfilmentPage />, { path: "/seller/fulfilment" });
    await userEvent.click(await screen.findByTestId("save-fulfilment"));

    const row = await screen.findByTestId("slot-errors");
    expect(row).toHaveTextContent("End: Must be after the start (09:00); a window cannot run past midnight.");
    expect(screen.getByLabelText("End of delivery window 1")).toHaveAttribute("aria-invalid", "true");
    expect(screen.getByLabelText("Delivery fee")).toHaveAccessibleDescription(expect.stringContaining("Must be an amount from 0.00 to 1000.00."));
    expect(screen.getByTestId("fulfilment-other-errors")).toHaveTextContent("pickup: Must be an object with the settings for pickup.");
    expect(screen.queryByTestId("fulfilment-saved")).not.toBeInTheDocument();
    // Changing the form clears what the server said about the version it saw.
    await userEvent.type(screen.getByLabelText("Delivery fee"), "0");
    await waitFor(() => expect(screen.queryByTestId("slot-errors")).not.toBeInTheDocument());
  });
});
