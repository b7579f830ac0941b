import { useQuery } from "@tanstack/react-query";
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it } from "vitest";
import { sessionStore } from "@/lib/api";
import { makeOrder, mockFetch, renderRoute } from "@/test/utils";
import { keys } from "@/lib/queries";
import { deliveredWarning, OrderActions } from "../OrderActions";

const seller = { id: "s1", email: "farm@x.test", full_name: "Farm", role: "seller" as const, is_active: true, created_at: "2025-01-01T00:00:00Z", phone: null };

describe("OrderActions", () => {
  beforeEach(() => sessionStore.set({ accessToken: "a", user: seller }));

  it("shows a button per allowed transition and none that the server did not allow", async () => {
    mockFetch([{ path: "/api/auth/me", body: seller }]);
    renderRoute(<OrderActions order={makeOrder({ status: "confirmed", allowed_transitions: ["packed", "cancelled"] })} />);
    expect(await screen.findByTestId("action-packed")).toHaveTextContent("Mark packed (as ordered)");
    expect(screen.getByTestId("cancel-order")).toHaveTextContent("Cancel order");
    expect(screen.queryByTestId("action-delivered")).not.toBeInTheDocument();
  });

  it("renders nothing for an order the caller may not move, whatever its status", async () => {
    mockFetch([{ path: "/api/auth/me", body: seller }]);
    const { container } = renderRoute(<OrderActions order={makeOrder({ status: "confirmed", allowed_transitions: [] })} />);
    await waitFor(() => expect(container).toBeEmptyDOMElement());
  });

  it("sends the move, disables every button while it runs and shows a refusal", async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const { fetchMock } = mockFetch([{ path: "/api/auth/me", body: seller }]);
    const fallback = fetchMock.getMockImplementation()!;
    fetchMock.mockImplementation(async (input, init) => {
      if (String(input).endsWith("/status")) {
        await gate;
        return new Response(JSON.stringify({ error: { code: "conflict", message: "This order was cancelled by the shopper." } }), { status: 409 });
      }
      return fallback(input, init);
    });
    renderRoute(<OrderActions order={makeOrder({ status: "confirmed", allowed_transitions: ["packed", "cancelled"] })} />);
    await userEvent.click(await screen.findByTestId("action-packed"));

    await waitFor(() => expect(screen.getByTestId("action-packed")).toBeDisabled());
    expect(screen.getByTestId("action-packed")).toHaveAttribute("aria-busy", "true");
    expect(screen.getByTestId("cancel-order")).toBeDisabled();
    const call = fetchMock.mock.calls.find(([url]) => String(url).endsWith("/status"))!;
    expect(JSON.parse(String(call[1]?.body))).toEqual({ status: "packed" });

    release();
    expect(await screen.findByTestId("action-error")).toHaveTextContent("This order was cancelled by the shopper.");
    expect(screen.getByTestId("action-packed")).toBeEnabled();
  });

  it("asks before marking delivered, says what it means, and sends nothing when the seller says not yet", async () => {
    const { calls } = mockFetch([{ path: "/api/auth/me", body: seller }]);
    renderRoute(<OrderActions order={makeOrder({ status: "out_for_delivery", allowed_transitions: ["delivered"] })} />);
    const trigger = await screen.findByTestId("action-delivered");
    await userEvent.click(trigger);
    const dialog = await screen.findByRole("alertdialog", { name: "Mark this order delivered?" });
    expect(dialog).toHaveTextContent("They are emailed that their order was delivered");
    expect(dialog).toHaveTextContent("it can't be moved back or cancelled");
    // the safe choice has the focus; Escape closes and gives it back to the button
    expect(within(dialog).getByRole("button", { name: "Not yet" })).toHaveFocus();
    await userEvent.keyboard("{Escape}");
    await waitFor(() => expect(screen.queryByRole("alertdialog")).not.toBeInTheDocument());
    expect(trigger).toHaveFocus();
    await userEvent.click(trigger);
    await userEvent.click(await screen.findByRole("button", { name: "Not yet" }));
    await waitFor(() => expect(screen.queryByRole("alertdialog")).not.toBeInTheDocument());
    expect(calls.some((call) => call.url.pathname.endsWith("/status"))).toBe(false);
  });

  it("marks delivered on confirmation, from the keyboard, then focuses what was done", async () => {
    const delivered = makeOrder({ status: "delivered", allowed_transitions: [] });
    const { calls } = mockFetch([
      { path: "/api/auth/me", body: seller },
      { method: "PATCH", path: "/api/orders/o1/status", body: delivered },
    ]);
    function Page() {
      const { data } = useQuery({ queryKey: keys.order("o1"), queryFn: () => makeOrder({ status: "out_for_delivery", allowed_transitions: ["delivered"] }) });
      return data ? <OrderActions order={data} /> : null;
    }
    renderRoute(<Page />);
    (await screen.findByTestId("action-delivered")).focus();
    await userEvent.keyboard("{Enter}");
    await screen.findByRole("alertdialog");
    await userEvent.tab(); // from "Not yet" to the confirming button
    expect(screen.getByTestId("confirm-delivered")).toHaveFocus();
    await userEvent.keyboard("{Enter}");
    const done = await screen.findByTestId("action-done");
    expect(done).toHaveTextContent("Order delivered.");
    await waitFor(() => expect(done).toHaveFocus());
    const sent = calls.filter((call) => call.url.pathname.endsWith("/status"));
    expect(sent).toHaveLength(1);
    expect(sent[0].body).toEqual({ status: "delivered" });
  });

  it("says it is collected, not received, for a pickup order", () => {
    const pickup = makeOrder({ fulfilment: { method: "pickup", slot_id: "x", local_date: "2030-01-01", label: "", address: "Mill Lane", start: "", end: "" } });
    expect(deliveredWarning(pickup)).toMatch(/^Only do this once the shopper has collected it\./);
    expect(deliveredWarning(makeOrder())).toMatch(/has received it\./);
  });
});
