// The seller's product form as a three-way edit: `base` is the product version the form was loaded
// from (its etag goes out as If-Match), `form` is what the seller typed, `current` is the product as
// the API says it is now (after a 412). Saving sends only the fields that differ from `base`.
import type { CategorySlug, Product, ProductUpdate } from "./api/models";
import { categoryName } from "./categories";
import { toCents } from "./money";

export interface ProductForm {
  name: string;
  description: string;
  /** Per `unit`; per kg when sold by weight. */
  price: string;
  category: CategorySlug | "";
  /** Items; grams when sold by weight. */
  stock: string;
  unit: string;
  /** Chosen when the product is created, fixed after (its stock is counted in items or grams). */
  sold_by: Product["sold_by"];
  /** Sold by weight: the least a basket takes and the step it goes up in, in grams ("" otherwise). */
  min_weight_g: string;
  step_g: string;
}

export type EditableField = Exclude<keyof ProductForm, "sold_by">;

export const EDITABLE_FIELDS: EditableField[] = ["name", "description", "price", "unit", "stock", "category", "min_weight_g", "step_g"];

export const FIELD_LABELS: Record<EditableField, string> = {
  name: "Name",
  description: "Description",
  price: "Price",
  unit: "Unit",
  stock: "Stock",
  category: "Category",
  min_weight_g: "Minimum weight (g)",
  step_g: "Step (g)",
};

export const EMPTY_FORM: ProductForm = { name: "", description: "", price: "", category: "", stock: "0", unit: "each", sold_by: "unit", min_weight_g: "", step_g: "" };

export function fromProduct(product: Product): ProductForm {
  return {
    name: product.name,
    description: product.description,
    price: product.price,
    category: product.category,
    stock: String(product.stock),
    unit: product.unit,
    sold_by: product.sold_by,
    min_weight_g: product.min_weight_g === null ? "" : String(product.min_weight_g),
    step_g: product.step_g === null ? "" : String(product.step_g),
  };
}

/** A field's value as the API would store it, so "3.5" equals "3.50" and " kg" equals "kg". */
function normal(field: EditableField, value: string): string | number {
  const text = value.trim();
  if (field === "price") {
    try {
      return toCents(text);
    } catch {
      return `invalid:${text}`;
    }
  }
  if (field === "stock" || field === "min_weight_g" || field === "step_g") return /^\d+$/.test(text) ? Number(text) : text === "" ? "" : `invalid:${text}`;
  return text;
}

function differs(field: EditableField, a: string, b: string): boolean {
  return normal(field, a) !== normal(field, b);
}

/** The request body: the fields the seller changed from `base`, in the API's types. */
export function changedFields(form: ProductForm, base: Product): ProductUpdate {
  const loaded = fromProduct(base);
  const body: ProductUpdate = {};
  for (const field of EDITABLE_FIELDS) {
    if (!differs(field, form[field], loaded[field])) continue;
    const value = form[field].trim();
    if (field === "stock") body.stock = Number(value);
    else if (field === "min_weight_g" || field === "step_g") {
      if (base.sold_by === "weight" && value !== "") body[field] = Number(value);
    } else if (field === "category") body.category = value as CategorySlug;
    else body[field] = value;
  }
  return body;
}

/** Whether two versions agree on everything the form edits (photos and the etag aside). */
export function sameEditableValues(a: Product, b: Product): boolean {
  const [left, right] = [fromProduct(a), fromProduct(b)];
  return EDITABLE_FIELDS.every((field) => !differs(field, left[field], right[field]));
}

export interface FieldDifference {
  field: EditableField;
  label: string;
  yours: string;
  now: string;
  /** The seller typed a new value here. */
  changedByYou: boolean;
  /** The stored value moved since the form was loaded (a sale, another tab). */
  changedMeanwhile: boolean;
}

function shown(field: EditableField, value: string): string {
  if (field === "category") return value ? categoryName(value) : "—";
  return value.trim() === "" ? "—" : value.trim();
}

/** Field by field, where what the seller is about to save differs from what is stored now. */
export function differences(form: ProductForm, base: Product, current: Product): FieldDifference[] {
  const [loaded, now] = [fromProduct(base), fromProduct(current)];
  return EDITABLE_FIELDS.filter((field) => differs(field, form[field], now[field])).map((field) => ({
    field,
    label: FIELD_LABELS[field],
    yours: shown(field, form[field]),
    now: shown(field, now[field]),
    changedByYou: differs(field, form[field], loaded[field]),
    changedMeanwhile: differs(field, now[field], loaded[field]),
  }));
}

/**
 * The form moved onto `current`: every field that changed meanwhile takes its current value (even
 * where the seller typed something: they saw both in `differences`), the seller's other edits stay.
 */
export function rebase(form: ProductForm, base: Product, current: Product): ProductForm {
  const [loaded, now] = [fromProduct(base), fromProduct(current)];
  const next = { ...form };
  for (const field of EDITABLE_FIELDS) {
    if (differs(field, now[field], loaded[field])) (next as Record<EditableField, string>)[field] = now[field];
  }
  return next;
}
