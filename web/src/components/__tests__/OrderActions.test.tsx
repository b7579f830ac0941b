import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it } from "vitest";
import { sessionStore } from "@/lib/api";
import { makeOrder, mockFetch, renderRoute } from "@/test/utils";
import { OrderActions } from "../OrderActions";

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
});
