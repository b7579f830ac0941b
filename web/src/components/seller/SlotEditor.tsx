import { Plus, Trash2 } from "lucide-react";
import { Button } from "@/components/ui/button";
import { Input, Select } from "@/components/ui/input";
import type { FulfilmentMethod } from "@/lib/api/models";
import { MAX_CAPACITY, MAX_SLOTS, MIN_CAPACITY, newRow, nextRow, WEEKDAYS, type SlotRow } from "@/lib/fulfilmentSettings";
import { cn } from "@/lib/utils";

/**
 * A method's weekly windows: one row each (day, start, end, capacity), rows added and removed.
 * `errors` are keyed like the API's fields (`delivery.slots.2.end`).
 */
export function SlotEditor({
  method,
  rows,
  onChange,
  errors,
  disabled = false,
}: {
  method: FulfilmentMethod;
  rows: SlotRow[];
  onChange: (rows: SlotRow[]) => void;
  errors: Record<string, string>;
  disabled?: boolean;
}) {
  const noun = method === "delivery" ? "delivery window" : "pickup window";
  const update = (key: string, patch: Partial<SlotRow>) => onChange(rows.map((row) => (row.key === key ? { ...row, ...patch } : row)));
  const listError = errors[`${method}.slots`];
  return (
    <div className="grid gap-2" data-testid={`slots-${method}`}>
      {rows.length > 0 && (
        <div className="hidden grid-cols-[1.4fr_1fr_1fr_1fr_auto] gap-2 px-1 text-xs font-medium text-muted-foreground sm:grid" aria-hidden="true">
          <span>Day</span>
          <span>Starts</span>
          <span>Ends</span>
          <span>Orders it takes</span>
          <span className="w-9" />
        </div>
      )}
      <ol className="grid gap-3 sm:gap-2">
        {rows.map((row, index) => {
          const at = `${method}.slots.${index}`;
          const rowErrors = (["weekday", "start", "end", "capacity"] as const)
            .map((field) => [field, errors[`${at}.${field}`]] as const)
            .filter(([, message]) => Boolean(message));
          const whole = errors[at];
          const errorId = `${at}-errors`;
          const invalid = (field: string) => (errors[`${at}.${field}`] ? true : undefined);
          const described = rowErrors.length || whole ? errorId : undefined;
          return (
            <li key={row.key} className="grid gap-1" data-testid="slot-row">
              <div className="grid grid-cols-2 gap-2 sm:grid-cols-[1.4fr_1fr_1fr_1fr_auto]">
                <Select
                  aria-label={`Day of ${noun} ${index + 1}`}
                  value={row.weekday}
                  disabled={disabled}
                  aria-invalid={invalid("weekday")}
                  aria-describedby={described}
                  onChange={(event) => update(row.key, { weekday: event.target.value })}
                  className="col-span-2 sm:col-span-1"
                >
                  {WEEKDAYS.map((day, value) => (
                    <option key={day} value={String(value)}>
                      {day}
                    </option>
                  ))}
                </Select>
                <Input
                  aria-label={`Start of ${noun} ${index + 1}`}
                  value={row.start}
                  placeholder="09:00"
                  inputMode="numeric"
                  maxLength={5}
                  disabled={disabled}
                  aria-invalid={invalid("start")}
                  aria-describedby={described}
                  onChange={(event) => update(row.key, { start: event.target.value })}
                />
                <Input
                  aria-label={`End of ${noun} ${index + 1}`}
                  value={row.end}
                  placeholder="12:00"
                  inputMode="numeric"
                  maxLength={5}
                  disabled={disabled}
                  aria-invalid={invalid("end")}
                  aria-describedby={described}
                  onChange={(event) => update(row.key, { end: event.target.value })}
                />
                <Input
                  aria-label={`Orders ${noun} ${index + 1} takes`}
                  value={row.capacity}
                  inputMode="numeric"
                  min={MIN_CAPACITY}
                  max={MAX_CAPACITY}
                  disabled={disabled}
                  aria-invalid={invalid("capacity")}
                  aria-describedby={described}
                  onChange={(event) => update(row.key, { capacity: event.target.value })}
                />
                <Button
                  type="button"
                  variant="ghost"
                  size="icon"
                  className="text-destructive"
                  disabled={disabled}
                  aria-label={`Remove ${noun} ${index + 1}`}
                  onClick={() => onChange(rows.filter((other) => other.key !== row.key))}
                >
                  <Trash2 aria-hidden="true" />
                </Button>
              </div>
              {(rowErrors.length > 0 || whole) && (
                <ul id={errorId} className="grid gap-0.5 text-sm text-destructive" data-testid="slot-errors">
                  {whole && <li>{whole}</li>}
                  {rowErrors.map(([field, message]) => (
                    <li key={field} data-field={`${at}.${field}`}>
                      {FIELD_NAME[field]}: {message}
                    </li>
                  ))}
                </ul>
              )}
            </li>
          );
        })}
      </ol>
      {listError && (
        <p className="text-sm text-destructive" data-testid="slots-error" data-field={`${method}.slots`}>
          {listError}
        </p>
      )}
      <div>
        <Button
          type="button"
          variant="outline"
          size="sm"
          disabled={disabled || rows.length >= MAX_SLOTS}
          onClick={() => onChange([...rows, rows.length ? nextRow(rows) : newRow()])}
          data-testid={`add-slot-${method}`}
          className={cn(rows.length === 0 && "border-dashed")}
        >
          <Plus aria-hidden="true" /> Add a {noun}
        </Button>
      </div>
    </div>
  );
}

const FIELD_NAME = { weekday: "Day", start: "Start", end: "End", capacity: "Orders" } as const;
