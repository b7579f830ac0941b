// Packing an order: what the seller enters per line, checked and priced as the API will (integer
// cents), so the running total and its comparison with the authorisation are right before sending.
import { isApiError } from "./api/errors";
import type { Order, OrderLine, PackLine, PackingProblem, Product } from "./api/models";
import { formatCents, formatGrams, lineCostCents, toCents, WEIGHT_MARGIN_BPS } from "./money";
import { orderedAmount } from "./orders";

/** The API's ceiling for a packed weight, in grams. */
export const MAX_PACKED_WEIGHT_G = 100_000;

/** What the seller typed for one line; amounts are the inputs' text. */
export interface PackDraft {
  packed: string;
  substituteId: string;
  substituteAmount: string;
}

export type PackDrafts = Record<string, PackDraft>;

/** Every line packed as ordered, no substitutes: where the seller starts. */
export function initialDrafts(order: Pick<Order, "items">): PackDrafts {
  return Object.fromEntries(order.items.map((line) => [line.line_id, { packed: String(orderedAmount(line)), substituteId: "", substituteAmount: "" }]));
}

function wholeNumber(text: string): number | null {
  const trimmed = text.trim();
  return /^\d{1,7}$/.test(trimmed) ? Number(trimmed) : null;
}

/** The most of a substitute the API accepts: the missing count, or the missing grams plus the margin. */
export function substituteMost(line: Pick<OrderLine, "sold_by">, missing: number): number {
  return line.sold_by === "weight" ? Math.ceil((missing * (10_000 + WEIGHT_MARGIN_BPS)) / 10_000) : missing;
}

/** Products a line may be substituted with: the seller's own, on sale, sold the same way, another product. */
export function substituteCandidates(line: Pick<OrderLine, "sold_by" | "product_id">, products: Product[]): Product[] {
  return products.filter((product) => product.is_active && product.sold_by === line.sold_by && product.id !== line.product_id && product.stock > 0);
}

export interface PlannedLine {
  line: OrderLine;
  packed: number | null;
  missing: number;
  /** Substitutes are possible: the shopper allowed them and something is missing. */
  canSubstitute: boolean;
  substitute: { product: Product; amount: number | null; chargedCents: number; cents: number } | null;
  /** The line as packed (its own product plus any substitute), when its inputs are valid. */
  cents: number;
  /** What is wrong with the inputs, for the seller to read; null when the line is fine. */
  error: string | null;
}

export interface PackPlan {
  lines: PlannedLine[];
  totalCents: number;
  authorisedCents: number;
  overBy: number;
  valid: boolean;
}

/** The packing list checked and priced as the API will (charged substitutes never cost more than the original). */
export function planPacking(order: Pick<Order, "items" | "authorized_amount">, drafts: PackDrafts, products: Product[]): PackPlan {
  const byId = new Map(products.map((product) => [product.id, product]));
  const lines = order.items.map((line): PlannedLine => {
    const draft = drafts[line.line_id] ?? { packed: "", substituteId: "", substituteAmount: "" };
    const ordered = orderedAmount(line);
    const weighed = line.sold_by === "weight";
    const high = weighed ? MAX_PACKED_WEIGHT_G : ordered;
    const packed = wholeNumber(draft.packed);
    const priceCents = toCents(line.unit_price);
    if (packed === null || packed > high) {
      return {
        line,
        packed: null,
        missing: 0,
        canSubstitute: false,
        substitute: null,
        cents: 0,
        error: weighed ? `Enter the weighed grams, from 0 to ${high.toLocaleString("en")}.` : `Enter how many were packed, from 0 to ${ordered}.`,
      };
    }
    const missing = Math.max(0, ordered - packed);
    const canSubstitute = line.substitution === "similar" && missing > 0;
    const ownCents = lineCostCents(priceCents, line.sold_by, packed);
    let error: string | null = null;
    let substitute: PlannedLine["substitute"] = null;
    if (canSubstitute && draft.substituteId) {
      const product = byId.get(draft.substituteId);
      const amount = wholeNumber(draft.substituteAmount);
      const most = substituteMost(line, missing);
      if (!product) {
        error = "Choose a substitute from your products.";
      } else {
        const chargedCents = Math.min(toCents(product.price), priceCents);
        if (amount === null || amount < 1 || amount > most) {
          error = weighed
            ? `Give the substitute's weight from 1 to ${most} g: it replaces only what is missing.`
            : `Give the substitute's count from 1 to ${most}: it replaces only what is missing.`;
          substitute = { product, amount: null, chargedCents, cents: 0 };
        } else if (amount > product.stock) {
          error = `Only ${weighed ? formatGrams(product.stock) : product.stock} of ${product.name} in stock.`;
          substitute = { product, amount, chargedCents, cents: lineCostCents(chargedCents, line.sold_by, amount) };
        } else {
          substitute = { product, amount, chargedCents, cents: lineCostCents(chargedCents, line.sold_by, amount) };
        }
      }
    }
    return { line, packed, missing, canSubstitute, substitute, cents: ownCents + (substitute?.cents ?? 0), error };
  });
  const totalCents = lines.reduce((sum, planned) => sum + planned.cents, 0);
  const authorisedCents = toCents(order.authorized_amount);
  const overBy = Math.max(0, totalCents - authorisedCents);
  return { lines, totalCents, authorisedCents, overBy, valid: lines.every((planned) => planned.error === null) && overBy === 0 };
}

/** The refusal the seller sees when the packed total is above what the shopper authorised. */
export function overAuthorisationMessage(plan: PackPlan, currency: string): string {
  return `${formatCents(plan.totalCents, currency)} is above the ${formatCents(plan.authorisedCents, currency)} the shopper authorised. Pack less, or choose a cheaper substitute.`;
}

/** The request body of POST /api/orders/{id}/pack. */
export function packRequestLines(plan: PackPlan): PackLine[] {
  return plan.lines.map(({ line, packed, substitute }) => {
    const weighed = line.sold_by === "weight";
    const body: PackLine = weighed ? { line_id: line.line_id, packed_weight_g: packed ?? 0 } : { line_id: line.line_id, packed_quantity: packed ?? 0 };
    if (substitute && substitute.amount !== null) {
      body.substitute = weighed
        ? { product_id: substitute.product.id, weight_g: substitute.amount }
        : { product_id: substitute.product.id, quantity: substitute.amount };
    }
    return body;
  });
}

/** A 422 `invalid_packing`'s messages by line id (others, naming no line of this order, under ""). */
export function packingProblems(error: unknown): Record<string, string> {
  const result: Record<string, string> = {};
  if (!isApiError(error) || error.code !== "invalid_packing" || !Array.isArray(error.details)) return result;
  for (const entry of error.details as Partial<PackingProblem>[]) {
    if (typeof entry?.message !== "string") continue;
    const key = typeof entry.line_id === "string" ? entry.line_id : "";
    result[key] = result[key] ? `${result[key]} ${entry.message}` : entry.message;
  }
  return result;
}
