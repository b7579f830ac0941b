import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it } from "vitest";
import { basket } from "@/lib/basket";
import { makeProduct, mockFetch, renderRoute } from "@/test/utils";
import ProductPage from "@/pages/ProductPage";

// $28.50/kg, sold from 100 g in steps of 50 g; 300 g left.
const comte = makeProduct({ id: "comte", name: "Comté", price: "28.50", unit: "kg", sold_by: "weight", min_weight_g: 100, step_g: 50, stock: 300 });

describe("the weight picker on a weighed product's page", { timeout: 20_000 }, () => {
  beforeEach(() => basket.clear());

  it("moves in steps from the minimum up to the stock, with the estimate in cents rounded half up", async () => {
    mockFetch([{ path: "/api/products/comte", body: comte }]);
    renderRoute(<ProductPage />, { path: "/products/:id", url: "/products/comte" });
    const picker = await screen.findByRole("group", { name: "Weight of Comté" });
    const less = within(picker).getByRole("button", { name: "50 g less" });
    const more = within(picker).getByRole("button", { name: "50 g more" });
    expect(within(picker).getByTestId("weight-value")).toHaveTextContent("100 g");
    expect(screen.getByTestId("weight-estimate")).toHaveTextContent("$2.85");
    expect(less).toBeDisabled();
    expect(screen.getByTestId("weighed-note")).toHaveTextContent("Final price follows the packed weight. Sold from 100 g in steps of 50 g.");

    await userEvent.click(more);
    expect(within(picker).getByTestId("weight-value")).toHaveTextContent("150 g");
    expect(screen.getByTestId("weight-estimate")).toHaveTextContent("$4.28"); // 4.275 -> 4.28
    await userEvent.click(more);
    await userEvent.click(more);
    expect(screen.getByTestId("weight-estimate")).toHaveTextContent("$7.13"); // 250 g: 7.125 -> 7.13
    await userEvent.click(more);
    expect(within(picker).getByTestId("weight-value")).toHaveTextContent("300 g");
    expect(more).toBeDisabled(); // all the seller has
    expect(screen.getByTestId("weight-estimate")).toHaveTextContent("$8.55");

    await userEvent.click(screen.getByTestId("add-to-basket"));
    expect(basket.get()[0]).toMatchObject({ quantity: null, weight_g: 300, substitution: "none" });
    expect(await screen.findByTestId("in-basket")).toHaveTextContent("300 g in your basket");
    expect(screen.getByTestId("add-to-basket")).toBeDisabled();
  });
});
