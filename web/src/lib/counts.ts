/**
 * How many things a basket or an order holds, said the same way everywhere (the API counts with the
 * same rule: `item_count` on orders and packing lists): a line sold by the unit counts its quantity,
 * a weighed line counts as one item (2 kg of apples is one bag of apples, shown with its weight).
 */
export interface CountedLine {
  sold_by?: "unit" | "weight" | null;
  quantity?: number | null;
  weight_g?: number | null;
}

/** Whether a line is weighed: said so, or it carries grams and no count (a basket line). */
function isWeighedLine(line: CountedLine): boolean {
  return line.sold_by === "weight" || ((line.quantity === null || line.quantity === undefined) && typeof line.weight_g === "number");
}

/** Items in these lines: a unit line's quantity, one per weighed line. */
export function countItems(lines: readonly CountedLine[]): number {
  return lines.reduce((sum, line) => sum + (isWeighedLine(line) ? 1 : (line.quantity ?? 0)), 0);
}

/** "1 item", "2 items", "0 items"; give the plural when adding an "s" is wrong ("1 box", "2 boxes"). */
export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : pluralForm}`;
}

/** "3 items" for these lines. */
export function itemsLabel(lines: readonly CountedLine[]): string {
  return plural(countItems(lines), "item");
}
