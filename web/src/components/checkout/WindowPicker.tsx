import { AlertTriangle, MapPin, Truck } from "lucide-react";
import type { FulfilmentMethod, SellerSlots } from "@/lib/api/models";
import {
  deliveryFeeCents,
  formatCutoff,
  freeDeliveryProgress,
  METHOD_LABEL,
  methodsOffered,
  minimumShortfallCents,
  windowsByDay,
  type SellerChoice,
} from "@/lib/fulfilment";
import { formatCents, formatMoney } from "@/lib/money";
import { cn } from "@/lib/utils";

/**
 * One seller's delivery or pickup choice at checkout: the methods the seller offers, then a window of
 * that method, grouped by day, with the places left ("Full" cannot be chosen) and when orders close.
 */
export function WindowPicker({
  sellerId,
  sellerName,
  terms,
  goodsCents,
  currency,
  choice,
  onChange,
  error,
}: {
  sellerId: string;
  sellerName: string;
  terms: SellerSlots;
  goodsCents: number;
  currency: string;
  choice: SellerChoice;
  onChange: (choice: SellerChoice) => void;
  /** The API's or the form's message about this seller's choice. */
  error?: string;
}) {
  const methods = methodsOffered(terms);
  const method = choice.method;
  const days = method ? windowsByDay(terms.items, method) : [];
  const fee = deliveryFeeCents(terms, "delivery", goodsCents);
  const shortfall = minimumShortfallCents(terms, "delivery", goodsCents);
  const progress = freeDeliveryProgress(terms, goodsCents);
  const errorId = `window-error-${sellerId}`;
  const offeredLabel = (option: FulfilmentMethod) =>
    option === "delivery" ? (fee > 0 ? `Delivery · ${formatCents(fee, currency)}` : "Delivery · free") : "Pickup · free";

  return (
    <fieldset
      className={cn("grid gap-3 rounded-lg border p-4", error && "border-destructive")}
      data-testid="window-picker"
      data-seller-id={sellerId}
      aria-describedby={error ? errorId : undefined}
    >
      <legend className="px-1 text-sm font-semibold">From {sellerName}</legend>
      {methods.length > 1 ? (
        <div className="flex flex-wrap gap-2" role="radiogroup" aria-label={`Delivery or pickup from ${sellerName}`}>
          {methods.map((option) => (
            <label
              key={option}
              className={cn(
                "flex cursor-pointer items-center gap-2 rounded-md border px-3 py-2 text-sm font-medium has-[:focus-visible]:outline-2 has-[:focus-visible]:outline-ring",
                method === option ? "border-primary bg-secondary text-secondary-foreground" : "hover:bg-muted",
              )}
            >
              <input
                type="radio"
                className="accent-[var(--color-primary)]"
                name={`method-${sellerId}`}
                value={option}
                checked={method === option}
                onChange={() => onChange({ method: option, slotId: null })}
                data-testid={`method-${option}`}
              />
              {option === "delivery" ? <Truck className="size-4" aria-hidden="true" /> : <MapPin className="size-4" aria-hidden="true" />}
              {offeredLabel(option)}
            </label>
          ))}
        </div>
      ) : methods.length === 1 ? (
        <p className="flex items-center gap-2 text-sm font-medium">
          {methods[0] === "delivery" ? <Truck className="size-4" aria-hidden="true" /> : <MapPin className="size-4" aria-hidden="true" />}
          {methods[0] === "delivery" ? `${sellerName} delivers only` : `${sellerName} offers pickup only`} · {offeredLabel(methods[0]).split(" · ")[1]}
        </p>
      ) : null}

      {method === "delivery" && progress && !progress.reached && shortfall === 0 && (
        <p className="text-xs text-muted-foreground" data-testid="picker-free-delivery">
          Add {formatCents(progress.remainingCents, currency)} from {sellerName} for free delivery.
        </p>
      )}
      {method === "delivery" && shortfall > 0 && terms.delivery && (
        <p className="flex items-start gap-2 rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900" data-testid="picker-below-minimum">
          <AlertTriangle className="mt-0.5 size-4 shrink-0" aria-hidden="true" />
          <span>
            {sellerName} delivers orders from {formatMoney(terms.delivery.min_order, currency)}: add {formatCents(shortfall, currency)} more
            {terms.pickup ? " or choose pickup" : ""}.
          </span>
        </p>
      )}
      {method === "pickup" && terms.pickup && (
        <p className="flex items-start gap-2 text-sm" data-testid="pickup-address">
          <MapPin className="mt-0.5 size-4 shrink-0 text-muted-foreground" aria-hidden="true" />
          <span>
            Collect from <strong>{terms.pickup.address}</strong>
          </span>
        </p>
      )}

      {method && (
        days.length === 0 ? (
          <p className="text-sm text-muted-foreground" data-testid="no-windows">
            {sellerName} has no {method} windows open in the next days.
            {methods.length > 1 ? ` Try ${method === "delivery" ? "pickup" : "delivery"}.` : " Remove their items to check out the rest."}
          </p>
        ) : (
          <div className="grid gap-3" role="radiogroup" aria-label={`${METHOD_LABEL[method]} windows from ${sellerName}`}>
            {days.map((day) => (
              <div key={day.date} className="grid gap-1.5" data-testid="window-day" data-date={day.date}>
                <p className="text-xs font-semibold uppercase tracking-wide text-muted-foreground">{day.label}</p>
                <div className="grid gap-2 sm:grid-cols-2">
                  {day.windows.map((window) => {
                    const full = window.remaining <= 0;
                    const selected = choice.slotId === window.slot_id;
                    return (
                      <label
                        key={window.slot_id}
                        className={cn(
                          "flex items-start gap-2 rounded-md border p-2.5 text-sm has-[:focus-visible]:outline-2 has-[:focus-visible]:outline-ring",
                          full ? "cursor-not-allowed bg-muted text-muted-foreground" : "cursor-pointer hover:bg-muted",
                          selected && "border-primary bg-secondary",
                        )}
                        data-testid="window-option"
                        data-slot-id={window.slot_id}
                        data-full={full || undefined}
                      >
                        <input
                          type="radio"
                          className="mt-0.5 accent-[var(--color-primary)]"
                          name={`window-${sellerId}`}
                          value={window.slot_id}
                          checked={selected}
                          disabled={full}
                          aria-label={`${window.label}${full ? ", full" : `, ${window.remaining} left`}`}
                          onChange={() => onChange({ method, slotId: window.slot_id })}
                        />
                        <span className="grid gap-0.5">
                          <span className="font-medium tabular-nums">
                            {window.local_start}–{window.local_end}
                            {full ? (
                              <span className="ml-2 rounded bg-slate-200 px-1.5 text-xs font-semibold text-slate-800">Full</span>
                            ) : (
                              <span className="ml-2 text-xs font-normal text-muted-foreground">
                                {window.remaining} {window.remaining === 1 ? "place" : "places"} left
                              </span>
                            )}
                          </span>
                          <span className="text-xs text-muted-foreground" data-testid="window-cutoff">
                            Closes at {formatCutoff(window.cutoff_at, terms.timezone)}
                          </span>
                        </span>
                      </label>
                    );
                  })}
                </div>
              </div>
            ))}
          </div>
        )
      )}
      {!method && methods.length > 1 && <p className="text-sm text-muted-foreground">Choose delivery or pickup to see the windows.</p>}
      {error && (
        <p id={errorId} className="text-sm font-medium text-destructive" role="alert" data-testid="window-error">
          {error}
        </p>
      )}
      <p className="flex justify-between border-t pt-2 text-sm" data-testid="picker-fee">
        <span>{method === "pickup" ? "Pickup" : "Delivery fee"}</span>
        <span className="tabular-nums">{method === "delivery" ? (fee > 0 ? formatCents(fee, currency) : "Free") : method === "pickup" ? "Free" : "—"}</span>
      </p>
    </fieldset>
  );
}
