import { useQuery, useQueryClient } from "@tanstack/react-query";
import { PackageCheck } from "lucide-react";
import { useId, useRef, useState, type FormEvent } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { StatusBadge } from "@/components/OrderStatus";
import { PageHeader } from "@/components/PageHeader";
import { EmptyState, ErrorState, PageLoading } from "@/components/states";
import { Alert } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent } from "@/components/ui/card";
import { Input, Select } from "@/components/ui/input";
import { toast } from "@/components/ui/toast";
import { api } from "@/lib/api";
import { errorMessage, isApiError } from "@/lib/api/errors";
import type { Order, Product } from "@/lib/api/models";
import { formatCents, formatGrams, formatMoney } from "@/lib/money";
import { formatAmount, linePriceLabel, orderedAmount, orderLabel, STATUS_LABEL } from "@/lib/orders";
import {
  initialDrafts,
  overAuthorisationMessage,
  packingProblems,
  packRequestLines,
  planPacking,
  substituteCandidates,
  substituteMost,
  type PackDraft,
  type PackDrafts,
  type PlannedLine,
} from "@/lib/packing";
import { keys, useOrder } from "@/lib/queries";
import { cn } from "@/lib/utils";
import { BackLink } from "@/components/BackLink";

/** Where packing ends: the seller's orders, with the packed order's outcome shown on arrival. */
export interface PackedState {
  packed: { id: string; number: string; finalTotal: string | null; released: string | null; currency: string };
}

/**
 * Packing one confirmed order: per line what was ordered, what was packed (count or weighed grams),
 * "Unavailable" for none, and a substitute from the seller's own products where the shopper allowed
 * one. The running total is checked against what the shopper authorised before anything is sent.
 */
export default function SellerPackPage() {
  const { id } = useParams();
  const order = useOrder(id);

  if (order.isPending) return <PageLoading label="Loading the order…" />;
  if (order.isError) {
    if (isApiError(order.error) && order.error.status === 404) {
      return (
        <EmptyState title="Order not found" action={<Button asChild><Link to="/seller/orders">Incoming orders</Link></Button>}>
          There is no order with that number among yours.
        </EmptyState>
      );
    }
    return <ErrorState error={order.error} onRetry={() => order.refetch()} />;
  }
  const data = order.data;
  if (data.status !== "confirmed") {
    return (
      <div className="mx-auto grid max-w-2xl gap-6">
        <BackToOrders />
        <PageHeader title={orderLabel(data)} actions={<StatusBadge status={data.status} />} />
        <Alert
          tone="info"
          title="Nothing to pack"
          data-testid="not-packable"
          action={<Button asChild variant="outline"><Link to={`/orders/${data.id}`}>See the order</Link></Button>}
        >
          This order is {STATUS_LABEL[data.status].toLowerCase()}: only confirmed orders are packed.
        </Alert>
      </div>
    );
  }
  return <PackForm key={data.id} order={data} />;
}

function BackToOrders() {
  return <BackLink to="/seller/orders?status=confirmed">Orders to pack</BackLink>;
}

function PackForm({ order }: { order: Order }) {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [drafts, setDrafts] = useState<PackDrafts>(() => initialDrafts(order));
  const [serverLineErrors, setServerLineErrors] = useState<Record<string, string>>({});
  const [banner, setBanner] = useState<{ title: string; message: string } | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const [showErrors, setShowErrors] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);
  const wantsSubstitutes = order.items.some((line) => line.substitution === "similar");

  // The seller's own products on sale: what a substitute can be chosen from.
  const products = useQuery({
    queryKey: ["seller", "pack-products", order.seller_id],
    queryFn: ({ signal }) => api.listProducts({ seller_id: order.seller_id, sort: "name", limit: 100 }, signal),
    enabled: wantsSubstitutes,
    staleTime: 30_000,
  });
  const catalog = products.data?.items ?? [];
  const plan = planPacking(order, drafts, catalog);
  const currency = order.currency;
  const over = plan.overBy > 0;

  function update(lineId: string, change: Partial<PackDraft>) {
    setDrafts((current) => ({ ...current, [lineId]: { ...current[lineId], ...change } }));
    setServerLineErrors((current) => {
      if (!(lineId in current)) return current;
      const next = { ...current };
      delete next[lineId];
      return next;
    });
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    setShowErrors(true);
    setBanner(null);
    if (!plan.valid) {
      requestAnimationFrame(() => formRef.current?.querySelector<HTMLElement>("[aria-invalid=true]")?.focus());
      return;
    }
    setSubmitting(true);
    try {
      const packed = await api.packOrder(order.id, { lines: packRequestLines(plan) });
      queryClient.setQueryData(keys.order(packed.id), packed);
      queryClient.invalidateQueries({ queryKey: ["seller"] });
      queryClient.invalidateQueries({ queryKey: keys.allProducts });
      toast(`${orderLabel(packed)} packed`, {
        description: packed.final_total ? `The shopper is charged ${formatMoney(packed.final_total, packed.currency)}.` : undefined,
      });
      const state: PackedState = { packed: { id: packed.id, number: packed.number, finalTotal: packed.final_total, released: packed.released, currency: packed.currency } };
      navigate("/seller/orders?status=confirmed", { state });
    } catch (error) {
      const byLine = packingProblems(error);
      if (Object.keys(byLine).length) {
        setServerLineErrors(byLine);
        setBanner({ title: "Some lines need attention", message: byLine[""] ?? errorMessage(error) });
        // Take the seller to the first line the API refused (its input says why, via aria-describedby).
        requestAnimationFrame(() => formRef.current?.querySelector<HTMLElement>("[aria-invalid=true]")?.focus());
      } else if (isApiError(error) && error.status === 409) {
        setBanner({ title: error.code === "out_of_stock" ? "A substitute is out of stock" : "This order can't be packed now", message: errorMessage(error) });
        queryClient.invalidateQueries({ queryKey: ["seller", "pack-products"] });
        queryClient.invalidateQueries({ queryKey: keys.order(order.id) });
      } else {
        setBanner({ title: isApiError(error) && error.code === "over_authorization" ? "Above what the shopper authorised" : "The packing was not saved", message: errorMessage(error) });
      }
    } finally {
      setSubmitting(false);
    }
  }

  return (
    <div className="grid gap-4">
      <BackToOrders />
      <PageHeader
        title={`Pack order ${order.number}`}
        description={
          <>
            For {order.shipping_address.full_name}, {order.shipping_address.city}. Enter what goes in the bag: counts for items, the weighed grams for
            weighed products.
          </>
        }
        actions={<StatusBadge status={order.status} />}
      />
      <form ref={formRef} onSubmit={submit} noValidate className="grid gap-4 lg:grid-cols-[1fr_20rem]" aria-label="Packing list" data-testid="pack-form">
        <ol className="grid content-start gap-3">
          {plan.lines.map((planned) => (
            <li key={planned.line.line_id}>
              <PackLineCard
                planned={planned}
                draft={drafts[planned.line.line_id]}
                currency={currency}
                candidates={substituteCandidates(planned.line, catalog)}
                productsState={products.isPending ? "loading" : products.isError ? "error" : "ready"}
                onRetryProducts={() => products.refetch()}
                showError={showErrors}
                serverError={serverLineErrors[planned.line.line_id]}
                onChange={(change) => update(planned.line.line_id, change)}
              />
            </li>
          ))}
        </ol>
        <div className="grid content-start gap-3 lg:sticky lg:top-24">
          <Card data-testid="pack-total">
            <CardContent className="grid gap-2 pt-5 text-sm">
              <div className="flex justify-between gap-2">
                <span>Estimate at checkout</span>
                <span className="tabular-nums">{formatMoney(order.estimated_total, currency)}</span>
              </div>
              <div className="flex justify-between gap-2">
                <span>Shopper authorised</span>
                <span className="tabular-nums" data-testid="pack-authorised">{formatCents(plan.authorisedCents, currency)}</span>
              </div>
              <div className={cn("flex justify-between gap-2 border-t pt-2 text-base font-semibold", over && "text-destructive")}>
                <span>Packed total</span>
                <span className="tabular-nums" data-testid="pack-running-total" aria-live="polite">
                  {formatCents(plan.totalCents, currency)}
                </span>
              </div>
              {over ? (
                <p className="font-medium text-destructive" role="alert" data-testid="pack-over">
                  {overAuthorisationMessage(plan, currency)}
                </p>
              ) : (
                <p className="text-xs text-muted-foreground">
                  The shopper is charged the packed total; {formatCents(plan.authorisedCents - plan.totalCents, currency)} of the hold is released.
                </p>
              )}
            </CardContent>
          </Card>
          {banner && (
            <Alert tone="error" title={banner.title} data-testid="pack-error">
              {banner.message}
            </Alert>
          )}
          {showErrors && !plan.valid && !over && !banner && (
            <Alert tone="error" data-testid="pack-invalid">
              Some lines need attention: see the messages next to them.
            </Alert>
          )}
          <Button type="submit" size="lg" loading={submitting} disabled={over || submitting} data-testid="submit-packing">
            <PackageCheck aria-hidden="true" /> {submitting ? "Saving…" : `Mark packed · ${formatCents(plan.totalCents, currency)}`}
          </Button>
          <p className="text-xs text-muted-foreground">The shopper sees what was packed and is charged for it once every order of their checkout is packed.</p>
        </div>
      </form>
    </div>
  );
}

function PackLineCard({
  planned,
  draft,
  currency,
  candidates,
  productsState,
  onRetryProducts,
  showError,
  serverError,
  onChange,
}: {
  planned: PlannedLine;
  draft: PackDraft;
  currency: string;
  candidates: Product[];
  productsState: "loading" | "error" | "ready";
  onRetryProducts: () => void;
  showError: boolean;
  serverError?: string;
  onChange: (change: Partial<PackDraft>) => void;
}) {
  const { line } = planned;
  const weighed = line.sold_by === "weight";
  const ordered = orderedAmount(line);
  const packedId = useId();
  const subId = useId();
  const subAmountId = useId();
  const errorId = useId();
  const message = serverError ?? (showError ? planned.error : null);
  const packedGrams = weighed && planned.packed !== null ? planned.packed : null;
  const most = planned.canSubstitute ? substituteMost(line, planned.missing) : 0;

  return (
    <Card data-testid="pack-line" data-line-id={line.line_id} className={cn(message && "border-destructive")}>
      <CardContent className="grid gap-3 pt-5">
        <div className="flex flex-wrap items-start justify-between gap-2">
          <div className="grid gap-0.5">
            <p className="font-semibold">{line.name}</p>
            <p className="text-sm text-muted-foreground">
              {linePriceLabel(line, currency)} · Ordered <strong className="text-foreground" data-testid="pack-ordered">{formatAmount(line.sold_by, ordered)}</strong>
            </p>
          </div>
          <div className="flex flex-wrap items-center gap-2">
            {weighed && <Badge tone="blue">Weighed</Badge>}
            <Badge tone={line.substitution === "similar" ? "green" : "neutral"} data-testid="pack-substitution">
              {line.substitution === "similar" ? "Substitutes OK" : "No substitutes"}
            </Badge>
          </div>
        </div>

        <div className="flex flex-wrap items-end gap-2">
          <div className="grid gap-1">
            <label htmlFor={packedId} className="text-sm font-medium">
              {weighed ? "Packed weight (g)" : "Packed count"}
            </label>
            <Input
              id={packedId}
              className="w-32"
              inputMode="numeric"
              value={draft.packed}
              onChange={(event) => onChange({ packed: event.target.value })}
              aria-invalid={message ? true : undefined}
              aria-describedby={message ? errorId : undefined}
              data-testid="packed-input"
            />
          </div>
          <Button type="button" variant="outline" onClick={() => onChange({ packed: "0" })} aria-label={`${line.name} is unavailable`} data-testid="unavailable">
            Unavailable
          </Button>
          {draft.packed !== String(ordered) && (
            <Button type="button" variant="ghost" onClick={() => onChange({ packed: String(ordered), substituteId: "", substituteAmount: "" })}>
              As ordered
            </Button>
          )}
          <p className="ml-auto text-right text-sm">
            <span className="block text-xs text-muted-foreground">Line</span>
            <span className="font-semibold tabular-nums" data-testid="pack-line-total">{formatCents(planned.cents, currency)}</span>
          </p>
        </div>
        {packedGrams !== null && packedGrams > 0 && (
          <p className="-mt-2 text-xs text-muted-foreground" data-testid="packed-kg">
            = {formatGrams(packedGrams)}
            {packedGrams !== ordered && <> ({packedGrams > ordered ? "+" : "−"}{formatGrams(Math.abs(packedGrams - ordered))} on the order)</>}
          </p>
        )}
        {planned.packed === 0 && !planned.canSubstitute && (
          <p className="text-sm text-muted-foreground">Not packed: the shopper is not charged for it.</p>
        )}

        {planned.canSubstitute && (
          <fieldset className="grid gap-2 rounded-md border bg-muted/40 p-3" data-testid="substitute-picker">
            <legend className="px-1 text-sm font-medium">
              Substitute for the missing {formatAmount(line.sold_by, planned.missing)}
            </legend>
            {productsState === "loading" ? (
              <p className="text-sm text-muted-foreground">Loading your products…</p>
            ) : productsState === "error" ? (
              <p className="text-sm text-destructive">
                Your products could not be loaded.{" "}
                <Button type="button" variant="link" size="inline" onClick={onRetryProducts}>
                  Try again
                </Button>
              </p>
            ) : candidates.length === 0 ? (
              <p className="text-sm text-muted-foreground">None of your products on sale is sold {weighed ? "by weight" : "by the item"}.</p>
            ) : (
              <div className="flex flex-wrap items-end gap-2">
                <div className="grid min-w-0 flex-1 basis-full gap-1 sm:basis-0">
                  <label htmlFor={subId} className="text-xs text-muted-foreground">
                    Product
                  </label>
                  <Select
                    id={subId}
                    value={draft.substituteId}
                    onChange={(event) =>
                      onChange({
                        substituteId: event.target.value,
                        substituteAmount: event.target.value && !draft.substituteAmount ? String(planned.missing) : draft.substituteAmount,
                      })
                    }
                    data-testid="substitute-select"
                  >
                    <option value="">No substitute</option>
                    {candidates.map((product) => (
                      <option key={product.id} value={product.id}>
                        {product.name} · {product.unit_price.label} ({weighed ? formatGrams(product.stock) : product.stock} in stock)
                      </option>
                    ))}
                  </Select>
                </div>
                {draft.substituteId && (
                  <div className="grid gap-1">
                    <label htmlFor={subAmountId} className="text-xs text-muted-foreground">
                      {weighed ? `Weight (g, up to ${most})` : `Count (up to ${most})`}
                    </label>
                    <Input
                      id={subAmountId}
                      className="w-28"
                      inputMode="numeric"
                      value={draft.substituteAmount}
                      onChange={(event) => onChange({ substituteAmount: event.target.value })}
                      data-testid="substitute-amount"
                    />
                  </div>
                )}
              </div>
            )}
            {planned.substitute && planned.substitute.amount !== null && (
              <p className="text-xs text-muted-foreground" data-testid="substitute-charge">
                Charged at {formatCents(planned.substitute.chargedCents, currency)}
                {weighed ? "/kg" : " each"} (never more than the original): {formatCents(planned.substitute.cents, currency)}
              </p>
            )}
          </fieldset>
        )}

        {message && (
          <p id={errorId} className="text-sm font-medium text-destructive" role="alert" data-testid="pack-line-error" data-line-error>
            {message}
          </p>
        )}
      </CardContent>
    </Card>
  );
}
