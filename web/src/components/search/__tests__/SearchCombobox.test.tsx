import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import { describe, expect, it, vi } from "vitest";
import type { Suggestion } from "@/lib/search";
import { mockFetch, renderRoute } from "@/test/utils";
import { SearchCombobox } from "../SearchCombobox";

const SUGGESTIONS = {
  items: [
    { kind: "category", label: "Bakery", category: "bakery", product_id: null },
    { kind: "product", label: "Bagels", category: null, product_id: "p-bagels" },
    { kind: "product", label: "Baguette", category: null, product_id: "p-baguette" },
  ],
};

function Box({ onSubmit, onPick }: { onSubmit?: (text: string) => void; onPick?: (suggestion: Suggestion) => boolean }) {
  const [text, setText] = useState("");
  return (
    <form
      role="search"
      onSubmit={(event) => {
        event.preventDefault();
        onSubmit?.(text);
      }}
    >
      <SearchCombobox aria-label="Search groceries" value={text} onValueChange={setText} onPick={onPick} />
    </form>
  );
}

function setup(props: { onSubmit?: (text: string) => void; onPick?: (suggestion: Suggestion) => boolean } = {}) {
  const { calls } = mockFetch([{ path: "/api/products/suggest", body: SUGGESTIONS }]);
  const view = renderRoute(<Box {...props} />, {
    path: "/",
    extraRoutes: [
      { path: "/products", element: <p>catalog listing</p> },
      { path: "/products/:id", element: <p>product page</p> },
    ],
  });
  return { calls, ...view };
}

describe("SearchCombobox", () => {
  it("suggests while typing, asking once the typing pauses, without the token", async () => {
    const { calls } = setup();
    const box = screen.getByRole("combobox", { name: "Search groceries" });
    expect(box).toHaveAttribute("aria-expanded", "false");
    await userEvent.type(box, "ba");
    const list = await screen.findByRole("listbox", { name: "Suggestions" });
    expect(box).toHaveAttribute("aria-expanded", "true");
    expect(box).toHaveAttribute("aria-controls", list.id);
    expect(screen.getAllByRole("option").map((option) => option.textContent)).toEqual(["BakeryCategory", "Bagels", "Baguette"]);
    const asked = calls.filter((call) => call.url.pathname === "/api/products/suggest");
    expect(asked.map((call) => call.url.searchParams.get("q"))).toEqual(["ba"]);
    expect(asked[0].headers.get("Authorization")).toBeNull();
  });

  it("does not ask for a single letter", async () => {
    const { calls } = setup();
    // The clock is moved on by hand, well past the typing pause: no waiting, and nothing left to happen.
    vi.useFakeTimers({ shouldAdvanceTime: true });
    try {
      const user = userEvent.setup({ advanceTimers: vi.advanceTimersByTime });
      await user.type(screen.getByRole("combobox"), "b");
      await vi.advanceTimersByTimeAsync(5_000);
    } finally {
      vi.useRealTimers();
    }
    expect(calls.filter((call) => call.url.pathname === "/api/products/suggest")).toEqual([]);
    expect(screen.queryByRole("listbox")).toBeNull();
  });

  it("moves through the suggestions with the arrow keys and opens the chosen one with Enter", async () => {
    const submitted: string[] = [];
    const { router } = setup({ onSubmit: (text) => submitted.push(text) });
    const box = screen.getByRole("combobox");
    await userEvent.type(box, "bag");
    await screen.findByRole("listbox");
    await userEvent.keyboard("{ArrowDown}{ArrowDown}");
    const options = screen.getAllByRole("option");
    expect(options[1]).toHaveAttribute("aria-selected", "true");
    expect(box).toHaveAttribute("aria-activedescendant", options[1].id);
    expect(box).toHaveFocus(); // focus stays in the box
    await userEvent.keyboard("{ArrowUp}{ArrowUp}{ArrowUp}"); // past the first: back to the text, then round to the last
    expect(screen.getAllByRole("option")[2]).toHaveAttribute("aria-selected", "true");
    await userEvent.keyboard("{ArrowDown}{ArrowDown}{Enter}"); // the text, then the first one: the category
    await waitFor(() => expect(router.state.location.pathname).toBe("/products"));
    expect(router.state.location.search).toBe("?category=bakery");
    expect(submitted).toEqual([]); // the suggestion answered Enter, not the form
  });

  it("leaves Enter to the form when no suggestion is highlighted, and closes with Escape", async () => {
    const submitted: string[] = [];
    setup({ onSubmit: (text) => submitted.push(text) });
    const box = screen.getByRole("combobox");
    await userEvent.type(box, "bag");
    await screen.findByRole("listbox");
    await userEvent.keyboard("{Escape}");
    expect(screen.queryByRole("listbox")).toBeNull();
    expect(box).toHaveValue("bag"); // closing keeps the text
    await userEvent.keyboard("{ArrowDown}");
    expect(await screen.findByRole("listbox")).toBeInTheDocument(); // an arrow opens it again
    await userEvent.keyboard("{ArrowUp}{Enter}"); // back to the text, then Enter
    expect(submitted).toEqual(["bag"]);
  });

  it("opens a product with a click", async () => {
    const { router } = setup();
    await userEvent.type(screen.getByRole("combobox"), "bag");
    await userEvent.click(await screen.findByRole("option", { name: "Baguette" }));
    await waitFor(() => expect(router.state.location.pathname).toBe("/products/p-baguette"));
    expect(await screen.findByText("product page")).toBeInTheDocument();
  });

  it("lets the page take a pick over", async () => {
    const picked: string[] = [];
    const { router } = setup({ onPick: (suggestion) => (picked.push(suggestion.label), true) });
    await userEvent.type(screen.getByRole("combobox"), "bag");
    await userEvent.click(await screen.findByRole("option", { name: /Bakery/ }));
    expect(picked).toEqual(["Bakery"]);
    expect(router.state.location.pathname).toBe("/");
    expect(screen.queryByRole("listbox")).toBeNull();
  });
});
