import { useSyncExternalStore } from "react";
import type { Product } from "./api/models";
import { toCents } from "./money";

/** What the basket remembers about a product, so it renders before the catalog reloads. */
export interface BasketProduct {
  id: string;
  name: string;
  price: string;
  currency: string;
  unit: string;
  stock: number;
  seller_id: string;
  seller_name: string;
  image: string | null;
}

export interface BasketLine {
  product: BasketProduct;
  quantity: number;
}

const STORAGE_KEY = "sg.basket.v1";
/** The API accepts at most 100 of one product per line. */
export const MAX_QUANTITY = 100;

let lines: BasketLine[] = load();
const listeners = new Set<() => void>();

function load(): BasketLine[] {
  try {
    const raw = typeof localStorage === "undefined" ? null : localStorage.getItem(STORAGE_KEY);
    const parsed: unknown = raw ? JSON.parse(raw) : [];
    if (!Array.isArray(parsed)) return [];
    return parsed.filter(
      (line): line is BasketLine =>
        typeof line?.product?.id === "string" && Number.isInteger(line?.quantity) && line.quantity > 0,
    );
  } catch {
    return [];
  }
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
    if (event.key === STORAGE_KEY) {
      lines = load();
      listeners.forEach((listener) => listener());
    }
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
  };
}

function clampQuantity(quantity: number, stock: number): number {
  const ceiling = Math.max(0, Math.min(MAX_QUANTITY, stock));
  return Math.max(0, Math.min(Math.floor(quantity), ceiling));
}

export const basket = {
  get: () => lines,
  subscribe(listener: () => void) {
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
    };
  },
  add(product: Product, quantity = 1) {
    const existing = lines.find((line) => line.product.id === product.id);
    const wanted = (existing?.quantity ?? 0) + quantity;
    const next = clampQuantity(wanted, product.stock);
    if (next <= 0) return;
    commit(
      existing
        ? lines.map((line) => (line.product.id === product.id ? { product: snapshot(product), quantity: next } : line))
        : [...lines, { product: snapshot(product), quantity: next }],
    );
  },
  setQuantity(productId: string, quantity: number) {
    commit(
      lines
        .map((line) =>
          line.product.id === productId
            ? { ...line, quantity: Math.max(0, Math.min(MAX_QUANTITY, Math.floor(quantity))) }
            : line,
        )
        .filter((line) => line.quantity > 0),
    );
  },
  remove(productId: string) {
    commit(lines.filter((line) => line.product.id !== productId));
  },
  /** Replace remembered details with fresh ones (price, stock, name) after re-validating. */
  refresh(products: Product[]) {
    const byId = new Map(products.map((product) => [product.id, product]));
    commit(lines.map((line) => (byId.has(line.product.id) ? { ...line, product: snapshot(byId.get(line.product.id)!) } : line)));
  },
  clear() {
    commit([]);
  },
};

export function useBasket(): BasketLine[] {
  return useSyncExternalStore(basket.subscribe, basket.get, basket.get);
}

export function basketCount(items: BasketLine[]): number {
  return items.reduce((sum, line) => sum + line.quantity, 0);
}

/** Subtotal in cents, assuming one currency per marketplace (the API's). */
export function basketTotalCents(items: BasketLine[]): number {
  return items.reduce((sum, line) => sum + toCents(line.product.price) * line.quantity, 0);
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
