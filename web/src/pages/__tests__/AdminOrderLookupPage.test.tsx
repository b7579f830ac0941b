import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it } from "vitest";
import { sessionStore } from "@/lib/api";
import { makeOrder, mockFetch, renderRoute } from "@/test/utils";
import AdminOrderLookupPage from "../admin/AdminOrderLookupPage";

const admin = { id: "a1", email: "admin@x.test", full_name: "Ada", role: "admin" as const, is_active: true, created_at: "2025-01-01T00:00:00Z", phone: null };
const found = makeOrder({ id: "0123456789abcdef01234567", number: "SG-7K3F-92" });

describe("Admin: find an order by its number", () => {
  beforeEach(() => sessionStore.set({ accessToken: "a", user: admin }));

  it("searches the number as typed and opens the order it finds", async () => {
    const { calls } = mockFetch([
      { path: "/api/auth/me", body: admin },
      { path: "/api/admin/orders", body: (url: URL) => ({ items: url.searchParams.get("number") === "sg7k3f92" ? [found] : [], next_cursor: null }) },
    ]);
    const { router } = renderRoute(<AdminOrderLookupPage />, { path: "/admin/orders", extraRoutes: [{ path: "/orders/:id", element: <p>the order</p> }] });
    await userEvent.type(screen.getByLabelText("Order number"), "sg7k3f92");
    await userEvent.click(screen.getByRole("button", { name: "Find order" }));
    await waitFor(() => expect(router.state.location.pathname).toBe("/orders/0123456789abcdef01234567"));
    expect(calls.filter((call) => call.url.pathname === "/api/admin/orders").map((call) => call.url.searchParams.get("number"))).toEqual(["sg7k3f92"]);
  });

  it("asks for a number, and says so when no order has it", async () => {
    mockFetch([
      { path: "/api/auth/me", body: admin },
      { path: "/api/admin/orders", body: { items: [], next_cursor: null } },
    ]);
    renderRoute(<AdminOrderLookupPage />, { path: "/admin/orders" });
    const input = screen.getByLabelText("Order number");
    await userEvent.click(screen.getByRole("button", { name: "Find order" }));
    expect(await screen.findByText("Type the order number, e.g. SG-7K3F-92.")).toBeInTheDocument();
    await userEvent.type(input, "SG-ZZZZ-ZZ");
    await userEvent.click(screen.getByRole("button", { name: "Find order" }));
    expect(await screen.findByTestId("order-not-found")).toHaveTextContent("No order has the number SG-ZZZZ-ZZ.");
  });

  it("shows a malformed number's message from the API next to the field", async () => {
    mockFetch([
      { path: "/api/auth/me", body: admin },
      {
        path: "/api/admin/orders",
        status: 422,
        body: { error: { code: "invalid_order_number", message: "That is not an order number: they look like SG-7K3F-92.", details: null } },
      },
    ]);
    renderRoute(<AdminOrderLookupPage />, { path: "/admin/orders" });
    await userEvent.type(screen.getByLabelText("Order number"), "SG-12");
    await userEvent.click(screen.getByRole("button", { name: "Find order" }));
    expect(await screen.findByText("That is not an order number: they look like SG-7K3F-92.")).toBeInTheDocument();
    expect(screen.queryByTestId("order-not-found")).not.toBeInTheDocument();
  });
});
