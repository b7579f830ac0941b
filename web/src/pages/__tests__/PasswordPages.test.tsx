import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it } from "vitest";
import { sessionStore } from "@/lib/api";
import { mockFetch, renderRoute } from "@/test/utils";
import ForgotPasswordPage from "../ForgotPasswordPage";
import LoginPage from "../LoginPage";
import ResetPasswordPage from "../ResetPasswordPage";
import ChangePasswordPage from "../account/ChangePasswordPage";

const ann = { id: "u1", email: "ann@x.test", full_name: "Ann Lee", role: "shopper" as const, is_active: true, created_at: "2025-01-01T00:00:00Z", phone: null };
const DEACTIVATED =
  "This account has been deactivated, so you cannot sign in. To find out why, or to ask for it back, write to support@smartgrocer.test.";

describe("Login: deactivated accounts and the way to a reset", () => {
  beforeEach(() => sessionStore.set(null));

  it("shows the deactivated message (with the support address) instead of the generic one", async () => {
    mockFetch([{ method: "POST", path: "/api/auth/login", status: 403, body: { error: { code: "account_deactivated", message: DEACTIVATED, details: null } } }]);
    renderRoute(<LoginPage />, { path: "/login" });
    await userEvent.type(await screen.findByLabelText("Email"), "ann@x.test");
    await userEvent.type(screen.getByLabelText("Password"), "right-password-1");
    await userEvent.click(screen.getByRole("button", { name: "Log in" }));
    const alert = await screen.findByTestId("login-error");
    expect(alert).toHaveTextContent("This account has been deactivated");
    expect(alert).toHaveTextContent("support@smartgrocer.test");
    expect(alert).not.toHaveTextContent("don't match");
    expect(sessionStore.get()).toBeNull();
  });

  it("offers a link to reset a forgotten password", async () => {
    mockFetch([]);
    renderRoute(<LoginPage />, { path: "/login" });
    expect(await screen.findByRole("link", { name: "Forgot your password?" })).toHaveAttribute("href", "/forgot-password");
  });
});

describe("Forgot password", () => {
  it("sends the address and shows the API's answer, the same for any address", async () => {
    const message = "If an account uses this email address, we have sent it a link to choose a new password.";
    const { calls } = mockFetch([{ method: "POST", path: "/api/auth/password-reset", status: 202, body: { message } }]);
    renderRoute(<ForgotPasswordPage />, { path: "/forgot-password" });
    await userEvent.click(await screen.findByRole("button", { name: "Send me a link" }));
    expect(await screen.findByText("Enter the email address you sign in with.")).toBeInTheDocument();
    const resets = () => calls.filter((call) => call.url.pathname === "/api/auth/password-reset"); // not the session check on load
    expect(resets()).toHaveLength(0);
    await userEvent.type(screen.getByLabelText("Email"), " ann@x.test ");
    await userEvent.click(screen.getByRole("button", { name: "Send me a link" }));
    expect(await screen.findByTestId("reset-requested")).toHaveTextContent(message);
    expect(resets().map((call) => call.body)).toEqual([{ email: "ann@x.test" }]);
  });

  it("says when to try again after too many requests", async () => {
    mockFetch([{ method: "POST", path: "/api/auth/password-reset", status: 429, headers: { "Retry-After": "120" }, body: { error: { code: "rate_limited", message: "Too many", details: null } } }]);
    renderRoute(<ForgotPasswordPage />, { path: "/forgot-password" });
    await userEvent.type(await screen.findByLabelText("Email"), "ann@x.test");
    await userEvent.click(screen.getByRole("button", { name: "Send me a link" }));
    expect(await screen.findByText("Too many attempts. Please try again in 2 minutes.")).toBeInTheDocument();
  });
});

describe("Reset password (the mailed link)", () => {
  beforeEach(() => sessionStore.set({ accessToken: "a", user: ann }));

  it("checks the new password, sends it with the token and clears the ended session", async () => {
    const { calls } = mockFetch([{ method: "POST", path: "/api/auth/password-reset/confirm", status: 204 }]);
    renderRoute(<ResetPasswordPage />, { path: "/reset-password", url: "/reset-password?token=tok_abcdefghijklmnop" });
    await userEvent.type(await screen.findByLabelText("New password"), "short");
    await userEvent.click(screen.getByRole("button", { name: "Set new password" }));
    expect(screen.getByLabelText("New password")).toHaveAccessibleDescription(/Use at least 8 characters/);
    await userEvent.clear(screen.getByLabelText("New password"));
    await userEvent.type(screen.getByLabelText("New password"), "brand-new-pass-2");
    await userEvent.type(screen.getByLabelText("Repeat the new password"), "brand-new-pass-3");
    await userEvent.click(screen.getByRole("button", { name: "Set new password" }));
    expect(await screen.findByText("The two passwords are not the same.")).toBeInTheDocument();
    const posts = () => calls.filter((call) => call.method === "POST" && call.url.pathname !== "/api/auth/refresh");
    expect(posts()).toHaveLength(0);
    await userEvent.clear(screen.getByLabelText("Repeat the new password"));
    await userEvent.type(screen.getByLabelText("Repeat the new password"), "brand-new-pass-2");
    await userEvent.click(screen.getByRole("button", { name: "Set new password" }));
    expect(await screen.findByTestId("reset-done")).toHaveTextContent("Your password is changed");
    expect(posts().map((call) => call.body)).toEqual([{ token: "tok_abcdefghijklmnop", new_password: "brand-new-pass-2" }]);
    expect(sessionStore.get()).toBeNull();
    expect(screen.getByRole("link", { name: "Log in" })).toHaveAttribute("href", "/login");
  });

  it("explains an expired link and offers a new one", async () => {
    const message = "This password reset link has expired. Ask for a new one.";
    mockFetch([{ method: "POST", path: "/api/auth/password-reset/confirm", status: 400, body: { error: { code: "reset_token_expired", message, details: null } } }]);
    renderRoute(<ResetPasswordPage />, { path: "/reset-password", url: "/reset-password?token=tok_abcdefghijklmnop" });
    await userEvent.type(await screen.findByLabelText("New password"), "brand-new-pass-2");
    await userEvent.type(screen.getByLabelText("Repeat the new password"), "brand-new-pass-2");
    await userEvent.click(screen.getByRole("button", { name: "Set new password" }));
    const alert = await screen.findByTestId("reset-error");
    expect(alert).toHaveTextContent(message);
    expect(within(alert).getByRole("link", { name: "Ask for a new link" })).toHaveAttribute("href", "/forgot-password");
    expect(sessionStore.get()).not.toBeNull();
  });

  it("says so when the link has no token", async () => {
    mockFetch([]);
    renderRoute(<ResetPasswordPage />, { path: "/reset-password" });
    expect(await screen.findByRole("alert")).toHaveTextContent("This link is incomplete");
  });
});

describe("Change password", () => {
  beforeEach(() => sessionStore.set({ accessToken: "a", user: ann }));

  it("shows a wrong current password next to it, then confirms a change and keeps the session", async () => {
    const wrong = { error: { code: "wrong_password", message: "Your current password is not correct.", details: null } };
    const { calls } = mockFetch([{ method: "POST", path: "/api/auth/password", replies: [{ status: 400, body: wrong }, { status: 204 }] }]);
    renderRoute(<ChangePasswordPage />, { path: "/account/password" });
    await userEvent.type(await screen.findByLabelText("Current password"), "not-mine-1");
    await userEvent.type(screen.getByLabelText("New password"), "brand-new-pass-2");
    await userEvent.type(screen.getByLabelText("Repeat the new password"), "brand-new-pass-2");
    await userEvent.click(screen.getByRole("button", { name: "Change password" }));
    expect(await screen.findByText("Your current password is not correct.")).toBeInTheDocument();
    expect(screen.getByLabelText("Current password")).toHaveAttribute("aria-invalid", "true");

    await userEvent.clear(screen.getByLabelText("Current password"));
    await userEvent.type(screen.getByLabelText("Current password"), "correct-horse-1");
    await userEvent.click(screen.getByRole("button", { name: "Change password" }));
    expect(await screen.findByTestId("password-changed")).toHaveTextContent("Other devices have been signed out");
    expect(calls.filter((call) => call.url.pathname === "/api/auth/password").map((call) => call.body)).toEqual([
      { current_password: "not-mine-1", new_password: "brand-new-pass-2" },
      { current_password: "correct-horse-1", new_password: "brand-new-pass-2" },
    ]);
    expect(sessionStore.get()).toMatchObject({ accessToken: "a" });
    expect(screen.getByLabelText("Current password")).toHaveValue("");
  });
});
