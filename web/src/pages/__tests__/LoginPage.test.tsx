import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it } from "vitest";
import { sessionStore } from "@/lib/api";
import { mockFetch, renderRoute } from "@/test/utils";
import LoginPage from "../LoginPage";

const user = { id: "u1", email: "ann@x.test", full_name: "Ann Lee", role: "seller", is_active: true, created_at: "2025-01-01T00:00:00Z", phone: null };

describe("LoginPage", () => {
  beforeEach(() => sessionStore.set(null));

  it("shows validation errors next to the field they concern", async () => {
    mockFetch([
      {
        method: "POST",
        path: "/api/auth/login",
        status: 422,
        body: { error: { code: "validation_error", message: "Invalid input", details: [{ loc: ["body", "email"], msg: "String should have at least 3 characters" }] } },
      },
    ]);
    renderRoute(<LoginPage />, { path: "/login" });
    await userEvent.type(await screen.findByLabelText("Email"), "a@");
    await userEvent.type(screen.getByLabelText("Password"), "secret");
    await userEvent.click(screen.getByRole("button", { name: "Log in" }));

    const email = screen.getByLabelText("Email");
    expect(await screen.findByText("String should have at least 3 characters")).toBeInTheDocument();
    expect(email).toHaveAttribute("aria-invalid", "true");
    expect(email).toHaveAccessibleDescription("String should have at least 3 characters");
  });

  it("says when to retry after too many attempts", async () => {
    mockFetch([
      { method: "POST", path: "/api/auth/login", status: 429, headers: { "Retry-After": "30" }, body: { error: { code: "rate_limited", message: "Too many login attempts" } } },
    ]);
    renderRoute(<LoginPage />, { path: "/login" });
    await userEvent.type(await screen.findByLabelText("Email"), "ann@x.test");
    await userEvent.type(screen.getByLabelText("Password"), "wrong");
    await userEvent.click(screen.getByRole("button", { name: "Log in" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("Please try again in 30 seconds");
  });

  it("stores the session and goes to the role's home (or ?next)", async () => {
    mockFetch([
      { method: "POST", path: "/api/auth/login", body: { user, access_token: "a", token_type: "bearer", expires_in: 900 } },
      { path: "/api/auth/me", body: user },
    ]);
    const { router } = renderRoute(<LoginPage />, { path: "/login", url: "/login?next=%2Fseller%2Forders" });
    await userEvent.type(await screen.findByLabelText("Email"), "ann@x.test");
    await userEvent.type(screen.getByLabelText("Password"), "seller-demo-1");
    await userEvent.click(screen.getByRole("button", { name: "Log in" }));
    await screen.findByText("elsewhere");
    expect(router.state.location.pathname).toBe("/seller/orders");
    expect(sessionStore.get()).toMatchObject({ accessToken: "a", user: { email: "ann@x.test" } });
  });

  it("refuses to redirect off-site after login", async () => {
    const { safeNext } = await import("../LoginPage");
    expect(safeNext("//evil.example")).toBeNull();
    expect(safeNext("https://evil.example")).toBeNull();
    expect(safeNext("/orders")).toBe("/orders");
  });
});
