import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it } from "vitest";
import { sessionStore } from "@/lib/api";
import type { SavedAddress } from "@/lib/api/models";
import { mockFetch, renderRoute, type MockRoute } from "@/test/utils";
import AccountPage from "../AccountPage";

const user = { id: "u1", email: "ann@x.test", full_name: "Ann Lee", role: "shopper" as const, is_active: true, created_at: "2025-01-01T00:00:00Z", phone: "+1 217 555 0100" };
const home: SavedAddress = {
  id: "a1",
  label: "Home",
  full_name: "Ann Lee",
  line1: "1 Main St",
  line2: null,
  city: "Springfield",
  region: "IL",
  postal_code: "62701",
  country: "US",
  phone: null,
  is_default: true,
  etag: '"a1"',
  formatted: ["Ann Lee", "1 Main St", "Springfield, IL 62701", "United States"],
};
const work: SavedAddress = {
  ...home,
  id: "a2",
  label: "Work",
  line1: "Damrak 1",
  city: "Amsterdam",
  region: null,
  postal_code: "1012 JS",
  country: "NL",
  is_default: false,
  etag: '"a1"',
  formatted: ["Ann Lee", "Damrak 1", "1012 JS Amsterdam", "Netherlands"],
};
const routes = (items: SavedAddress[], extra: MockRoute[] = []): MockRoute[] => [
  { path: "/api/auth/me", body: user },
  { path: "/api/me/addresses", body: { items, max_items: 10 } },
  ...extra,
];
const cards = () => screen.getAllByTestId("address-card");

describe("AccountPage", { timeout: 40_000 }, () => {
  beforeEach(() => sessionStore.set({ accessToken: "a", user }));

  it("shows the details with the email read-only, saves name and phone, and links to the password page", async () => {
    const { calls } = mockFetch(routes([], [{ method: "PATCH", path: "/api/me", body: { ...user, full_name: "Ann Lovelace", phone: null } }]));
    renderRoute(<AccountPage />, { path: "/account" });
    expect(await screen.findByLabelText("Email")).toHaveAttribute("readonly");
    expect(screen.getByLabelText("Email")).toHaveValue("ann@x.test");
    expect(screen.getByTestId("change-password")).toHaveAttribute("href", "/account/password");
    expect(await screen.findByTestId("address-book-empty")).toBeInTheDocument();

    await userEvent.clear(screen.getByLabelText("Phone (optional)"));
    await userEvent.type(screen.getByLabelText("Phone (optional)"), "12");
    await userEvent.click(screen.getByTestId("save-profile"));
    expect(screen.getByLabelText("Phone (optional)")).toHaveAccessibleDescription("A phone number has between 7 and 15 digits.");
    expect(calls.some((call) => call.method === "PATCH")).toBe(false);

    await userEvent.clear(screen.getByLabelText("Phone (optional)"));
    await userEvent.clear(screen.getByLabelText("Full name"));
    await userEvent.type(screen.getByLabelText("Full name"), "Ann Lovelace");
    await userEvent.click(screen.getByTestId("save-profile"));
    await waitFor(() => expect(sessionStore.get()?.user.full_name).toBe("Ann Lovelace"));
    expect(calls.find((call) => call.method === "PATCH")?.body).toEqual({ full_name: "Ann Lovelace", phone: null });
  });

  it("lists the addresses as their countries write them, makes another the default and deletes after confirming", async () => {
    const { calls } = mockFetch(
      routes(
        [home, work],
        [
          { method: "POST", path: "/api/me/addresses/a2/default", body: { ...work, is_default: true } },
          { method: "DELETE", path: "/api/me/addresses/a2", status: 204 },
        ],
      ),
    );
    renderRoute(<AccountPage />, { path: "/account" });
    await screen.findAllByTestId("address-card");
    expect(within(cards()[0]).getByTestId("address-lines")).toHaveTextContent("Ann Lee1 Main StSpringfield, IL 62701United States");
    expect(within(cards()[0]).getByText("Default")).toBeInTheDocument();
    expect(within(cards()[0]).queryByTestId("make-default")).not.toBeInTheDocument();
    expect(within(cards()[1]).getByTestId("address-lines")).toHaveTextContent("1012 JS Amsterdam");

    await userEvent.click(within(cards()[1]).getByTestId("make-default"));
    await waitFor(() => expect(calls.some((call) => call.method === "POST" && call.url.pathname === "/api/me/addresses/a2/default")).toBe(true));

    await userEvent.click(within(cards()[1]).getByTestId("delete-address"));
    const dialog = await screen.findByRole("alertdialog", { name: "Delete this address?" });
    expect(dialog).toHaveTextContent("Orders already placed keep their address.");
    expect(calls.some((call) => call.method === "DELETE")).toBe(false);
    await userEvent.click(within(dialog).getByRole("button", { name: "Delete address" }));
    await waitFor(() => expect(calls.some((call) => call.method === "DELETE" && call.url.pathname === "/api/me/addresses/a2")).toBe(true));
  });

  it("adds an address with the country's own fields", async () => {
    const { calls } = mockFetch(routes([home], [{ method: "POST", path: "/api/me/addresses", status: 201, body: work }]));
    renderRoute(<AccountPage />, { path: "/account" });
    await userEvent.click(await screen.findByTestId("add-address"));
    const editor = screen.getByTestId("address-editor");
    await userEvent.type(within(editor).getByLabelText("Label (optional)"), "Work");
    await userEvent.selectOptions(within(editor).getByLabelText("Country"), "NL");
    expect(within(editor).queryByLabelText(/State|County|Province/)).not.toBeInTheDocument(); // the Netherlands has none
    await userEvent.type(within(editor).getByLabelText("Address line 1"), "Damrak 1");
    await userEvent.type(within(editor).getByLabelText("Town or city"), "Amsterdam");
    await userEvent.type(within(editor).getByLabelText("Postcode"), "1012js");
    await userEvent.click(within(editor).getByLabelText("Make this my default address"));
    await userEvent.click(within(editor).getByTestId("save-address"));
    await waitFor(() => expect(screen.queryByTestId("address-editor")).not.toBeInTheDocument());
    expect(calls.find((call) => call.method === "POST")?.body).toEqual({
      label: "Work",
      full_name: "Ann Lee",
      line1: "Damrak 1",
      city: "Amsterdam",
      postal_code: "1012 JS",
      country: "NL",
      phone: "+1 217 555 0100",
      is_default: true,
    });
  });

  it("sends the address's ETag with an edit and, when it changed elsewhere, shows the current version", async () => {
    const current = { ...home, line1: "2 Main St", etag: '"a2"', formatted: ["Ann Lee", "2 Main St", "Springfield, IL 62701", "United States"] };
    const stale = { error: { code: "stale_address", message: "This address was changed elsewhere.", details: { current } } };
    const { calls } = mockFetch(routes([home], [{ method: "PUT", path: "/api/me/addresses/a1", replies: [{ status: 412, body: stale }, { status: 200, body: current }] }]));
    renderRoute(<AccountPage />, { path: "/account" });
    await userEvent.click(await screen.findByTestId("edit-address"));
    const editor = screen.getByTestId("address-editor");
    await userEvent.clear(within(editor).getByLabelText("Address line 1"));
    await userEvent.type(within(editor).getByLabelText("Address line 1"), "3 Main St");
    await userEvent.click(within(editor).getByTestId("save-address"));
    expect(await within(editor).findByTestId("address-editor-error")).toHaveTextContent("changed elsewhere");
    expect(within(editor).getByLabelText("Address line 1")).toHaveValue("2 Main St");
    await userEvent.click(within(editor).getByTestId("save-address"));
    await waitFor(() => expect(screen.queryByTestId("address-editor")).not.toBeInTheDocument());
    const puts = calls.filter((call) => call.method === "PUT");
    expect(puts.map((call) => call.headers.get("If-Match"))).toEqual(['"a1"', '"a2"']);
  });
});
