import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { AboutCard } from "@/components/seller/AboutCard";
import { sessionStore } from "@/lib/api";
import type { SellerPublic } from "@/lib/api/models";
import { makeProduct, mockFetch, renderRoute } from "@/test/utils";
import { ProductCard } from "@/components/ProductCard";
import SellerPage from "../SellerPage";

const LOADED = { timeout: 10_000 };
const farm: SellerPublic = {
  id: "s1",
  name: "Greenfields Farm",
  about: "Family farm.\nPicked the morning we pack.",
  timezone: "Europe/London",
  delivery: { fee: "3.99", free_over: "40.00", min_order: "0.00", cutoff_hours: 0 },
  pickup: { address: "Unit 4, Mill Lane", cutoff_hours: 0 },
};

describe("the seller's public page", () => {
  it("shows the name, their words, the offer and their products, paged by keyset", async () => {
    const { calls } = mockFetch([
      { path: "/api/sellers/s1", body: farm },
      {
        path: "/api/products",
        body: (url: URL) =>
          url.searchParams.get("cursor")
            ? { items: [makeProduct({ id: "p2", name: "Carrots" })], next_cursor: null }
            : { items: [makeProduct({ id: "p1", name: "Apples" })], next_cursor: "next-1" },
      },
    ]);
    renderRoute(<SellerPage />, { path: "/sellers/:id", url: "/sellers/s1" });
    expect(await screen.findByRole("heading", { name: "Greenfields Farm", level: 1 }, LOADED)).toBeInTheDocument();
    expect(screen.getByTestId("seller-about")).toHaveTextContent("Family farm. Picked the morning we pack.");
    expect(screen.getByTestId("seller-offer")).toHaveTextContent("Delivers for $3.99, free over $40.00.");
    expect(screen.getByTestId("seller-offer")).toHaveTextContent("Free pickup at Unit 4, Mill Lane.");
    expect(await screen.findByText("Apples", {}, LOADED)).toBeInTheDocument();
    await userEvent.click(screen.getByTestId("load-more"));
    expect(await screen.findByText("Carrots", {}, LOADED)).toBeInTheDocument();
    const listings = calls.filter((call) => call.url.pathname === "/api/products");
    expect(listings.map((call) => call.url.searchParams.get("seller_id"))).toEqual(["s1", "s1"]);
    expect(listings[1].url.searchParams.get("cursor")).toBe("next-1");
    // the public page is read without the shopper's token, like the rest of the catalog
    expect(calls.find((call) => call.url.pathname === "/api/sellers/s1")?.headers.get("authorization")).toBeNull();
  });

  it("says so for a seller who does not sell", async () => {
    mockFetch([
      { path: "/api/sellers/gone", status: 404, body: { error: { code: "no_such_seller", message: "No such seller.", details: null } } },
      { path: "/api/products", body: { items: [], next_cursor: null } },
    ]);
    renderRoute(<SellerPage />, { path: "/sellers/:id", url: "/sellers/gone" });
    expect(await screen.findByText("We couldn't find this seller", {}, LOADED)).toBeInTheDocument();
  });

  it("is linked from 'Sold by' on a product card", async () => {
    renderRoute(<ProductCard product={makeProduct({ seller_id: "s1", seller_name: "Greenfields Farm" })} />);
    const link = await screen.findByRole("link", { name: "Greenfields Farm" }, LOADED);
    expect(link).toHaveAttribute("href", "/sellers/s1");
    expect(link.closest("p")).toHaveTextContent("Sold by Greenfields Farm");
  });
});

describe("AboutCard", () => {
  const seller = { id: "s1", email: "farm@x.test", full_name: "Farm", role: "seller" as const, is_active: true, created_at: "2025-01-01T00:00:00Z", phone: null };

  it("counts characters, refuses more than 500 and saves the text", async () => {
    sessionStore.set({ accessToken: "a", user: seller });
    const profile = { id: "s1", name: "Farm", about: "Old", listed: true, updated_at: null };
    const { calls } = mockFetch([
      { path: "/api/auth/me", body: seller },
      { path: "/api/seller/profile", body: profile },
      { method: "PUT", path: "/api/seller/profile", body: { ...profile, about: "New words" } },
    ]);
    renderRoute(<AboutCard />);
    const input = await screen.findByLabelText("About your shop", {}, LOADED);
    expect(screen.getByTestId("about-counter")).toHaveTextContent("3 of 500 characters");
    await userEvent.clear(input);
    await userEvent.click(input);
    await userEvent.paste("é".repeat(501));
    expect(screen.getByTestId("about-counter")).toHaveTextContent("501 of 500 characters — 1 too many");
    expect(input).toHaveAttribute("aria-invalid", "true");
    expect(screen.getByTestId("about-save")).toBeDisabled();
    await userEvent.clear(input);
    await userEvent.type(input, "New words");
    await userEvent.click(screen.getByTestId("about-save"));
    await waitFor(() => expect(calls.some((call) => call.method === "PUT")).toBe(true));
    expect(calls.find((call) => call.method === "PUT")?.body).toEqual({ about: "New words" });
    expect(screen.getByRole("link", { name: "See your page" })).toHaveAttribute("href", "/sellers/s1");
  });
});
