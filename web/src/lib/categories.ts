import type { CategorySlug } from "./api/models";

/** The API's fixed category list (smartgrocer.models.products.Category), for product forms. */
export const CATEGORIES: { slug: CategorySlug; name: string }[] = [
  { slug: "fruit-veg", name: "Fruit & Vegetables" },
  { slug: "dairy-eggs", name: "Dairy & Eggs" },
  { slug: "bakery", name: "Bakery" },
  { slug: "meat-fish", name: "Meat & Fish" },
  { slug: "pantry", name: "Pantry" },
  { slug: "drinks", name: "Drinks" },
  { slug: "frozen", name: "Frozen" },
  { slug: "snacks", name: "Snacks" },
  { slug: "household", name: "Household" },
];

export function categoryName(slug: string): string {
  return CATEGORIES.find((category) => category.slug === slug)?.name ?? slug;
}
