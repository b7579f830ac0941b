import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { basket } from "@/lib/basket";
import { makeProduct, renderRoute } from "@/test/utils";
import { ProductCard } from "../ProductCard";

describe("ProductCard", () => {
  it("renders a hostile product name as plain text", async () => {
    const name = "<img src=x onerror=alert(1)>";
    const { container } = renderRoute(<ProductCard product={makeProduct({ name, description: "<script>alert(2)</script>" })} />);
    expect(await screen.findByText(name)).toBeInTheDocument();
    expect(container.querySelector('img[src="x"]')).toBeNull();
    expect(container.querySelector("script")).toBeNull();
  });

  it("shows price, unit and seller, and adds to the basket", async () => {
    basket.clear();
    renderRoute(<ProductCard product={makeProduct({ price: "3.49", unit: "500 g", unit_price: { amount: "6.98", basis: "kg", label: "$6.98/kg" } })} />);
    expect(await screen.findByText("$3.49")).toBeInTheDocument();
    expect(screen.getByText("per 500 g")).toBeInTheDocument();
    expect(screen.getByTestId("unit-price")).toHaveTextContent("$6.98/kg");
    expect(screen.getByText("Greenfields Farm")).toBeInTheDocument();
    await userEvent.click(screen.getByRole("button", { name: "Add Honeycrisp apples to basket" }));
    expect(basket.get()[0]).toMatchObject({ quantity: 1, product: { id: "p1" } });
  });

  it("sells a weighed product per kg, from its minimum weight", async () => {
    basket.clear();
    renderRoute(
      <ProductCard product={makeProduct({ name: "Loose apples", price: "3.20", unit: "kg", sold_by: "weight", min_weight_g: 250, step_g: 250, stock: 20_000 })} />,
    );
    expect(await screen.findByText("per kg · from 250 g")).toBeInTheDocument();
    await userEvent.click(screen.getByRole("button", { name: "Add 250 g of Loose apples to basket" }));
    expect(basket.get()[0]).toMatchObject({ quantity: null, weight_g: 250 });
  });

  it("disables adding a sold-out product", async () => {
    renderRoute(<ProductCard product={makeProduct({ stock: 0 })} />);
    expect(await screen.findByRole("button", { name: /out of stock/ })).toBeDisabled();
    expect(screen.getByText("Out of stock")).toBeInTheDocument();
  });
});
