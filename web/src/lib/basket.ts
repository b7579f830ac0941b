import { useSyncExternalStore } from "react";
import type { Product } from "./api/models";
import { authorisedCents, lineCostCents, toCents } from "./money";
import { countItems } from "./counts";

export type SoldBy = Product["sold_by"];
export type Substitution = "none" | "similar";

/** What the basket remembers about a product, so it renders before the catalog reloads. */
export interface BasketProduct {
  id: string;
  name: string;
  /** Per `unit`; per kg for a product sold by weight. */
  price: string;
  currency: string;
  unit: string;
  /** Items; grams for a product sold by weight. */
  stock: number;
  seller_id: string;
  seller_name: string;
  image: string | null;
  sold_by: SoldBy;
  min_weight_g: number | null;
  step_g: number | null;
  /** The comparable unit price's label ("$5.60/kg"), when known. */
  unit_price_label: string | null;
}

/**
 * One basket line, shaped like the API's: a count for a product sold by the unit (`quantity`,
 * `weight_g` null), grams for one sold by weight (`weight_g`, `quantity` null).
 */
export interface BasketLine {
  product: BasketProduct;
  quantity: number | null;
  weight_g: number | null;
  substitution: Substitution;
}

/** v2: lines carry weights and a substitution choice. v1 baskets (counts only) are migrated on load. */
const STORAGE_KEY = "sg.basket.v2";
const LEGACY_KEY = "sg.basket.v1";
/** The API accepts at most 100 of one product per line. */
export const MAX_QUANTITY = 100;
/** ... and at most 100 kg of a weighed product per line. */
export const MAX_WEIGHT_G = 100_000;

let lines: BasketLine[] = load();
const listeners = new Set<() => void>();

export function isWeighed(line: Pick<BasketLine, "product">): boolean {
  return line.product.sold_by === "weight";
}

/** A stored line as this version understands it, or null when it can't be made sense of. */
export function migrateLine(raw: unknown): BasketLine | null {
  if (typeof raw !== "object" || raw === null) return null;
  const record = raw as Record<string, unknown>;
  const product = record.product as Record<string, unknown> | undefined;
  if (typeof product?.id !== "string") return null;
  const soldBy: SoldBy = product.sold_by === "weight" ? "weight" : "unit";
  const whole = (value: unknown) => (typeof value === "number" && Number.isInteger(value) && value > 0 ? value : null);
  const remembered: BasketProduct = {
    id: product.id,
    name: typeof product.name === "string" ? product.name : "",
    price: typeof product.price === "string" ? product.price : "0.00",
    currency: typeof product.currency === "string" ? product.currency : "usd",
    unit: typeof product.unit === "string" ? product.unit : soldBy === "weight" ? "kg" : "each",
    stock: typeof product.stock === "number" ? product.stock : 0,
    seller_id: typeof product.seller_id === "string" ? product.seller_id : "",
    seller_name: typeof product.seller_name === "string" ? product.seller_name : "",
    image: typeof product.image === "string" ? product.image : null,
    sold_by: soldBy,
    min_weight_g: soldBy === "weight" ? whole(product.min_weight_g) : null,
    step_g: soldBy === "weight" ? whole(product.step_g) : null,
    unit_price_label: typeof product.unit_price_label === "string" ? product.unit_price_label : null,
  };
  const substitution: Substitution = record.substitution === "similar" ? "similar" : "none";
  if (soldBy === "weight") {
    const grams = whole(record.weight_g);
    if (grams === null) return null;
    return { product: remembered, quantity: null, weight_g: Math.min(grams, MAX_WEIGHT_G), substitution };
  }
  const quantity = whole(record.quantity);
  if (quantity === null) return null;
  return { product: remembered, quantity: Math.min(quantity, MAX_QUANTITY), weight_g: null, substitution };
}

function parse(raw: string | null): BasketLine[] {
  if (!raw) return [];
  try {
    const parsed: unknown = JSON.parse(raw);
    if (!Array.isArray(parsed)) return [];
    return parsed.map(migrateLine).filter((line): line is BasketLine => line !== null);
  } catch {
    return [];
  }
}

function load(): BasketLine[] {
  if (typeof localStorage === "undefined") return [];
  try {
    const current = localStorage.getItem(STORAGE_KEY);
    if (current !== null) return parse(current);
    // A basket saved before weights existed: every line was a count of a product sold by the unit.
    const legacy = localStorage.getItem(LEGACY_KEY);
    if (legacy === null) return [];
    const migrated = parse(legacy);
    localStorage.setItem(STORAGE_KEY, JSON.stringify(migrated));
    localStorage.removeItem(LEGACY_KEY);
    return migrated;
  } catch {
    return [];
  }
}

/** Reads the stored basket again (tests; another tab's change arrives through the storage event). */
export function reloadBasket() {
  lines = load();
  listeners.forEach((listener) => listener());
}

function commit(next: BasketLine[]) {
  lines = next;
  try {
    localStorage.setItem(STORAGE_KEY, JSON.stringify(lines));
  } catch {
    // Storage full or disabled: keep the basket for this session at least.
  }
  listeners.forEach((listener) => listener());
}

if (typeof window !== "undefined") {
  // Keep tabs in step: a basket changed in one tab shows up in the others.
  window.addEventListener("storage", (event) => {
    if (event.key === STORAGE_KEY) reloadBasket();
  });
}

export function snapshot(product: Product): BasketProduct {
  return {
    id: product.id,
    name: product.name,
    price: product.price,
    currency: product.currency,
    unit: product.unit,
    stock: product.stock,
    seller_id: product.seller_id,
    seller_name: product.seller_name,
    image: product.images[0] ?? null,
    sold_by: product.sold_by,
    min_weight_g: product.sold_by === "weight" ? product.min_weight_g : null,
    step_g: product.sold_by === "weight" ? product.step_g : null,
    unit_price_label: product.unit_price?.label ?? null,
  };
}

/** The weight rules of a weighed product: at least `min`, in steps of `step` (min is a whole number of steps). */
export function weightRules(product: Pick<BasketProduct, "min_weight_g" | "step_g">): { min: number; step: number } {
  const step = product.step_g && product.step_g > 0 ? product.step_g : 1;
  const min = product.min_weight_g && product.min_weight_g > 0 ? product.min_weight_g : step;
  return { min, step };
}

/** The most a basket line can take of a weighed product: its stock (grams) and the API's ceiling, in steps. */
export function maxWeight(product: Pick<BasketProduct, "min_weight_g" | "step_g" | "stock">): number {
  const { step } = weightRules(product);
  const ceiling = Math.max(0, Math.min(MAX_WEIGHT_G, product.stock));
  return ceiling - (ceiling % step);
}

/**
 * `grams` as a basket may hold it: on a step, at least the minimum, at most what is in stock.
 * 0 when not even the minimum is available.
 */
export function snapWeight(product: Pick<BasketProduct, "min_weight_g" | "step_g" | "stock">, grams: number): number {
  const { min, step } = weightRules(product);
  const most = maxWeight(product);
  if (most < min) return 0;
  const stepped = Math.round(Math.max(0, grams) / step) * step;
  return Math.min(most, Math.max(min, stepped));
}

function clampQuantity(quantity: number, stock: number): number {
  const ceiling = Math.max(0, Math.min(MAX_QUANTITY, stock));
  return Math.max(0, Math.min(Math.floor(quantity), ceiling));
}

/** A line made to fit `product` as it is now (a product's sold_by is fixed, but a stored line may predate it). */
function fit(line: BasketLine, product: BasketProduct): BasketLine {
  if (product.sold_by === "weight") {
    const wanted = line.weight_g ?? weightRules(product).min;
    return { product, quantity: null, weight_g: wanted, substitution: line.substitution };
  }
  return { product, quantity: line.quantity ?? 1, weight_g: null, substitution: line.substitution };
}

export const basket = {
  get: () => lines,
  subscribe(listener: () => void) {
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
    };
  },
  /**
   * Adds `amount` of `product`: items for a product sold by the unit (default 1), grams for one
   * sold by weight (default its minimum). Merged with a line already there, within the stock.
   */
  add(product: Product, amount?: number) {
    const fresh = snapshot(product);
    const existing = lines.find((line) => line.product.id === product.id);
    let next: BasketLine;
    if (fresh.sold_by === "weight") {
      const grams = snapWeight(fresh, (existing?.weight_g ?? 0) + (amount ?? weightRules(fresh).min));
      if (grams <= 0) return;
      next = { product: fresh, quantity: null, weight_g: grams, substitution: existing?.substitution ?? "none" };
    } else {
      const quantity = clampQuantity((existing?.quantity ?? 0) + (amount ?? 1), product.stock);
      if (quantity <= 0) return;
      next = { product: fresh, quantity, weight_g: null, substitution: existing?.substitution ?? "none" };
    }
    commit(existing ? lines.map((line) => (line.product.id === product.id ? next : line)) : [...lines, next]);
  },
  /** A unit line's count; 0 removes the line. */
  setQuantity(productId: string, quantity: number) {
    commit(
      lines
        .map((line) =>
          line.product.id === productId && !isWeighed(line)
            ? { ...line, quantity: Math.max(0, Math.min(MAX_QUANTITY, Math.floor(quantity))) }
            : line,
        )
        .filter((line) => isWeighed(line) || (line.quantity ?? 0) > 0),
    );
  },
  /** A weighed line's grams, snapped to its steps (never below its minimum: remove the line instead). */
  setWeight(productId: string, grams: number) {
    commit(
      lines.map((line) => {
        if (line.product.id !== productId || !isWeighed(line)) return line;
        const { min, step } = weightRules(line.product);
        const stepped = Math.max(min, Math.round(grams / step) * step);
        return { ...line, weight_g: Math.min(MAX_WEIGHT_G, stepped) };
      }),
    );
  },
  setSubstitution(productId: string, substitution: Substitution) {
    commit(lines.map((line) => (line.product.id === productId ? { ...line, substitution } : line)));
  },
  remove(productId: string) {
    commit(lines.filter((line) => line.product.id !== productId));
  },
  /** Replace remembered details with fresh ones (price, stock, name, weight rules) after re-validating. */
  refresh(products: Product[]) {
    const byId = new Map(products.map((product) => [product.id, product]));
    commit(lines.map((line) => (byId.has(line.product.id) ? fit(line, snapshot(byId.get(line.product.id)!)) : line)));
  },
  clear() {
    commit([]);
  },
};

export function useBasket(): BasketLine[] {
  return useSyncExternalStore(basket.subscribe, basket.get, basket.get);
}

/** Things in the basket, counted as everywhere (`countItems`): a bag of apples is one thing. */
export function basketCount(items: BasketLine[]): number {
  return countItems(items.map((line) => ({ sold_by: line.product.sold_by, quantity: line.quantity, weight_g: line.weight_g })));
}

/** How much of its product a line takes: items, or grams for a weighed line. */
export function lineAmount(line: Pick<BasketLine, "quantity" | "weight_g" | "product">): number {
  return (isWeighed(line) ? line.weight_g : line.quantity) ?? 0;
}

/** A line's estimate in cents: price x count, or price per kg x grams / 1000 rounded half up. */
export function lineEstimateCents(line: BasketLine): number {
  return lineCostCents(toCents(line.product.price), line.product.sold_by, lineAmount(line));
}

/** Subtotal (the estimate) in cents, assuming one currency per marketplace (the API's). */
export function basketTotalCents(items: BasketLine[]): number {
  return items.reduce((sum, line) => sum + lineEstimateCents(line), 0);
}

/**
 * What checkout will hold on the card: per seller (one order each), the unit lines plus the weighed
 * lines with the margin, rounded up; summed. The server's answer (`payment.amount`) is the last word.
 */
export function basketAuthorisedCents(items: BasketLine[]): number {
  return groupBySeller(items).reduce((sum, group) => {
    const unit = group.lines.filter((line) => !isWeighed(line)).reduce((cents, line) => cents + lineEstimateCents(line), 0);
    const weighed = group.lines.filter(isWeighed).reduce((cents, line) => cents + lineEstimateCents(line), 0);
    return sum + authorisedCents(unit, weighed);
  }, 0);
}

export function hasWeighedLines(items: BasketLine[]): boolean {
  return items.some(isWeighed);
}

/** Lines grouped by seller: checkout creates one order per seller. */
export function groupBySeller(items: BasketLine[]): { sellerId: string; sellerName: string; lines: BasketLine[] }[] {
  const groups = new Map<string, { sellerId: string; sellerName: string; lines: BasketLine[] }>();
  for (const line of items) {
    const key = line.product.seller_id;
    if (!groups.has(key)) groups.set(key, { sellerId: key, sellerName: line.product.seller_name || "Seller", lines: [] });
    groups.get(key)!.lines.push(line);
  }
  return [...groups.values()];
}
