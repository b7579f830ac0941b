import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState, type FormEvent } from "react";
import { Link, useNavigate } from "react-router";
import { AddressForm, cleanAddress, toDraft, validateAddress, type AddressDraft } from "@/components/checkout/AddressForm";
import { NEW_ADDRESS, SavedAddressPicker } from "@/components/checkout/SavedAddressPicker";
import { BasketLines } from "@/components/BasketLines";
import { BasketEstimate } from "@/components/checkout/BasketEstimate";
import { WindowPicker } from "@/components/checkout/WindowPicker";
import { PageHeader } from "@/components/PageHeader";
import { EmptyState, PageLoading } from "@/components/states";
import { TimeLeft } from "@/components/TimeLeft";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { StickyAction } from "@/components/ui/sticky-action";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { api } from "@/lib/api";
import { errorMessage, fieldErrors, isApiError } from "@/lib/api/errors";
import { unpayableSellersMessage } from "@/lib/payouts";
import type { Checkout, SavedAddress, ShippingAddress } from "@/lib/api/models";
import { useAuth } from "@/lib/auth";
import { basketAuthorisedCents, groupBySeller, lineEstimateCents, useBasket } from "@/lib/basket";
import { shortagesFromConflict, useBasketCheck, type LineIssue } from "@/lib/basketCheck";
import { awaitingItems, basketItems, isPayable, itemsKey, openCheckout } from "@/lib/checkouts";
import {
  deliveryFeeCents,
  FULFILMENT_ERROR_CODES,
  fulfilmentRequest,
  initialChoice,
  minimumShortfallCents,
  sellerOfError,
  type SellerChoice,
} from "@/lib/fulfilment";
import { formatCents, formatGrams, formatMoney } from "@/lib/money";
import { keys, useAddressBook, useSlotsFor } from "@/lib/queries";
import { toast } from "@/components/ui/toast";
import { msUntil } from "@/lib/time";
import { uuid } from "@/lib/utils";
import { plural } from "@/lib/counts";

const ADDRESS_KEY = "sg.address";

function readJson<T>(storage: Storage, key: string): T | null {
  try {
    const raw = storage.getItem(key);
    return raw ? (JSON.parse(raw) as T) : null;
  } catch {
    return null;
  }
}

/**
 * The shopper's checkout still awaiting payment, if any: the one this browser remembers, else the
 * newest payable one in My orders (placed in another tab or on another device).
 */
export async function findOpenCheckout(userId: string, signal?: AbortSignal): Promise<Checkout | null> {
  const payable = async (checkoutId: string) => {
    const checkout = await api.getCheckout(checkoutId, signal).catch((error) => {
      if (isApiError(error) && error.status === 404) return null;
      throw error;
    });
    return isPayable(checkout) ? checkout : null;
  };
  const remembered = openCheckout.get(userId);
  if (remembered) {
    const checkout = await payable(remembered.checkoutId);
    if (checkout) return checkout;
    openCheckout.forget(remembered.checkoutId);
  }
  const page = await api.myOrders({ limit: 20 });
  const candidates = new Set(
    page.items
      .filter((order) => order.status === "pending_payment" && msUntil(order.expires_at) > 0 && order.checkout_id !== remembered?.checkoutId)
      .map((order) => order.checkout_id),
  );
  for (const checkoutId of candidates) {
    const checkout = await payable(checkoutId);
    if (checkout) return checkout;
  }
  return null;
}

export default function CheckoutPage() {
  const { user } = useAuth();
  const lines = useBasket();
  const navigate = useNavigate();
  const queryClient = useQueryClient();

  // A typed address starts from the last one used in this browser, else from the account's name and phone.
  const [address, setAddress] = useState<AddressDraft>(() => {
    const remembered = readJson<ShippingAddress>(localStorage, ADDRESS_KEY);
    return remembered ? toDraft(remembered) : toDraft({ full_name: user?.full_name, phone: user?.phone });
  });
  // The address book: the default is chosen to begin with; "new" types one (and may save it).
  const book = useAddressBook(Boolean(user));
  const saved = book.data?.items ?? [];
  const [picked, setPicked] = useState<string | null>(null);
  const deliverTo = picked && (picked === NEW_ADDRESS || saved.some((entry) => entry.id === picked)) ? picked : (saved.find((entry) => entry.is_default)?.id ?? NEW_ADDRESS);
  const chosen = saved.find((entry) => entry.id === deliverTo) ?? null;
  const [saveToBook, setSaveToBook] = useState(false);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [submitError, setSubmitError] = useState<string | null>(null);
  const [conflicts, setConflicts] = useState<Record<string, LineIssue>>({});
  const [submitting, setSubmitting] = useState(false);
  // Per seller with windows: delivery or pickup, and the window; the API's or our message about it.
  const [choices, setChoices] = useState<Record<string, SellerChoice>>({});
  const [windowErrors, setWindowErrors] = useState<Record<string, string>>({});
  const [windowErrorShown, setWindowErrorShown] = useState(false);
  // One key per checkout attempt: a double click or a retried request cannot create two checkouts.
  const idempotencyKey = useRef(uuid());
  const formRef = useRef<HTMLDivElement>(null);
  const windowsRef = useRef<HTMLDivElement>(null);

  // Coming back to checkout with a payment still open resumes it rather than starting another.
  const open = useQuery({
    queryKey: ["checkout", "open", user?.id ?? ""],
    queryFn: ({ signal }) => findOpenCheckout(user!.id, signal),
    enabled: Boolean(user),
    gcTime: 0,
    retry: false,
  });
  const openCheckoutNow = open.data ?? null;
  const basketKey = itemsKey(basketItems(lines));
  const sameAsBasket = Boolean(openCheckoutNow && lines.length > 0 && itemsKey(awaitingItems(openCheckoutNow.orders)) === basketKey);

  useEffect(() => {
    if (!openCheckoutNow || !sameAsBasket || !user) return;
    // The basket is exactly what that checkout holds: carry on paying for it.
    if (openCheckout.get(user.id)?.checkoutId !== openCheckoutNow.checkout_id) {
      openCheckout.remember({ checkoutId: openCheckoutNow.checkout_id, userId: user.id, items: awaitingItems(openCheckoutNow.orders) });
    }
    navigate(`/checkout/pay/${encodeURIComponent(openCheckoutNow.checkout_id)}`, { replace: true });
  }, [openCheckoutNow, sameAsBasket, user, navigate]);

  const { issues: checkIssues, hasIssues } = useBasketCheck(openCheckoutNow ? [] : lines);
  const groups = groupBySeller(lines).map((group) => ({ ...group, goodsCents: group.lines.reduce((sum, line) => sum + lineEstimateCents(line), 0) }));
  const sellerIds = groups.map((group) => group.sellerId);
  const slots = useSlotsFor(sellerIds);
  /** The seller's choice, starting from the only method offered when there is one. */
  const choiceFor = (sellerId: string): SellerChoice => {
    const terms = slots.bySeller[sellerId];
    return choices[sellerId] ?? (terms ? initialChoice(terms) : { method: null, slotId: null });
  };
  const feeFor = (sellerId: string, goodsCents: number) => deliveryFeeCents(slots.bySeller[sellerId], choiceFor(sellerId).method, goodsCents);
  const feesCents = groups.reduce((sum, group) => sum + feeFor(group.sellerId, group.goodsCents), 0);
  const withWindows = groups.filter((group) => slots.bySeller[group.sellerId]);

  function choose(sellerId: string, choice: SellerChoice) {
    setChoices((current) => ({ ...current, [sellerId]: choice }));
    const remaining = Object.fromEntries(Object.entries(windowErrors).filter(([id]) => id !== sellerId));
    setWindowErrors(remaining);
    // The message above the button was about these choices: gone once every seller marked has a new one.
    if (windowErrorShown && Object.keys(remaining).length === 0) {
      setSubmitError(null);
      setWindowErrorShown(false);
    }
  }

  /** Problems with the choices before anything is sent: a seller without a window, or under a delivery minimum. */
  function windowProblems(): Record<string, string> {
    const problems: Record<string, string> = {};
    const all = Object.fromEntries(sellerIds.map((sellerId) => [sellerId, choiceFor(sellerId)]));
    const { missing } = fulfilmentRequest(sellerIds, slots.bySeller, all);
    for (const group of groups) {
      const terms = slots.bySeller[group.sellerId];
      if (missing.includes(group.sellerId)) {
        problems[group.sellerId] = `Choose a delivery or pickup window for ${group.sellerName}.`;
        continue;
      }
      const shortfall = minimumShortfallCents(terms, all[group.sellerId].method, group.goodsCents);
      if (shortfall > 0 && terms?.delivery) {
        problems[group.sellerId] =
          `${group.sellerName} delivers orders from ${formatMoney(terms.delivery.min_order, group.lines[0].product.currency)}: ` +
          `add ${formatCents(shortfall, group.lines[0].product.currency)} more${terms.pickup ? " or choose pickup" : ""}.`;
      }
    }
    return problems;
  }
  const issues = { ...checkIssues, ...conflicts };

  // Once the user changes quantities after a conflict, the old conflict no longer applies.
  const basketShape = lines.map((line) => `${line.product.id}:${line.quantity ?? line.weight_g}`).join(",");
  const [conflictsShape, setConflictsShape] = useState(basketShape);
  if (conflictsShape !== basketShape) {
    setConflictsShape(basketShape);
    setConflicts({});
  }

  function focusFirstError() {
    requestAnimationFrame(() => formRef.current?.querySelector<HTMLElement>("[aria-invalid=true]")?.focus());
  }

  async function placeOrder(event: FormEvent) {
    event.preventDefault();
    setSubmitError(null);
    setWindowErrorShown(false);
    const localErrors = chosen ? {} : validateAddress(address);
    setErrors(localErrors);
    if (Object.keys(localErrors).length) {
      focusFirstError();
      return;
    }
    const shipping = chosen ? shippingFrom(chosen, user?.phone) : cleanAddress(address);
    if (slots.pending) {
      setSubmitError("Your sellers' delivery windows are still loading. Try again in a moment.");
      return;
    }
    const unreadable = groups.filter((group) => slots.errors[group.sellerId]);
    if (unreadable.length) {
      setSubmitError(`We couldn't load the delivery windows of ${unreadable.map((group) => group.sellerName).join(" and ")}. Check your connection and try again.`);
      void slots.refetch();
      return;
    }
    const problems = windowProblems();
    setWindowErrors(problems);
    if (Object.keys(problems).length) {
      setSubmitError("Choose how you get each order: see the sellers marked above.");
      setWindowErrorShown(true);
      requestAnimationFrame(() => windowsRef.current?.querySelector<HTMLElement>('[data-testid="window-error"]')?.closest("fieldset")?.querySelector<HTMLElement>("input:not([disabled])")?.focus());
      return;
    }
    const { fulfilment } = fulfilmentRequest(sellerIds, slots.bySeller, Object.fromEntries(sellerIds.map((sellerId) => [sellerId, choiceFor(sellerId)])));
    setSubmitting(true);
    try {
      const items = basketItems(lines);
      const response = await api.checkout(
        { items, shipping_address: shipping, ...(Object.keys(fulfilment).length ? { fulfilment } : {}) },
        idempotencyKey.current,
      );
      if (user) openCheckout.remember({ checkoutId: response.checkout_id, userId: user.id, items });
      queryClient.invalidateQueries({ queryKey: ["orders"] });
      if (!chosen) {
        localStorage.setItem(ADDRESS_KEY, JSON.stringify(shipping));
        if (saveToBook) {
          await saveAddress(shipping);
          void queryClient.invalidateQueries({ queryKey: keys.addresses });
        }
      }
      navigate(`/checkout/pay/${encodeURIComponent(response.checkout_id)}`);
    } catch (error) {
      if (isApiError(error) && error.status !== 0) idempotencyKey.current = uuid(); // the server refused this attempt
      const unpayable = unpayableSellersMessage(error);
      if (unpayable) {
        setSubmitError(unpayable);
      } else if (isApiError(error) && FULFILMENT_ERROR_CODES.has(error.code)) {
        // Said for shoppers and naming the seller: shown next to that seller's choice.
        const sellerId = sellerOfError(error.details, error.message, groups, Object.fromEntries(sellerIds.map((id) => [id, choiceFor(id)])));
        const sellerName = groups.find((group) => group.sellerId === sellerId)?.sellerName;
        if (sellerId) setWindowErrors({ [sellerId]: error.message });
        setSubmitError(sellerName ? `Check how you get your order from ${sellerName}: ${error.message}` : error.message);
        setWindowErrorShown(Boolean(sellerId));
        if (["window_full", "window_closed", "window_too_far", "invalid_window"].includes(error.code)) {
          // The places or the windows changed meanwhile: read them again, and let the shopper choose again.
          if (sellerId) {
            setChoices((current) => ({ ...current, [sellerId]: { method: choiceFor(sellerId).method, slotId: null } }));
            void queryClient.invalidateQueries({ queryKey: keys.sellerSlots(sellerId) });
          } else {
            void queryClient.invalidateQueries({ queryKey: keys.allSellerSlots });
          }
        }
      } else if (isApiError(error) && error.status === 409) {
        setConflicts(shortagesFromConflict(error.details, new Set(lines.filter((line) => line.product.sold_by === "weight").map((line) => line.product.id))));
        setSubmitError(`${error.message || "Some items are out of stock."} Adjust the highlighted items and try again.`);
        queryClient.invalidateQueries({ queryKey: ["product"] });
      } else if (isApiError(error) && error.isValidation) {
        const byField = fieldErrors(error);
        const addressErrors: Record<string, string> = {};
        for (const [path, message] of Object.entries(byField)) {
          if (path.startsWith("shipping_address.")) addressErrors[path.slice("shipping_address.".length)] = message;
        }
        setErrors(addressErrors);
        if (chosen && Object.keys(addressErrors).length) {
          // A saved address the rules no longer accept (say, saved before they changed): say what, and where to fix it.
          setSubmitError(`Your saved address "${chosen.label || chosen.formatted[1]}" needs a change: ${Object.values(addressErrors).join(" ")} Edit it in your account, or type a new address.`);
        } else {
          setSubmitError(Object.keys(addressErrors).length ? "Please check the highlighted fields." : errorMessage(error));
        }
        focusFirstError();
      } else {
        setSubmitError(errorMessage(error));
      }
    } finally {
      setSubmitting(false);
    }
  }

  if (open.isPending && user) return <PageLoading label="Checking for a checkout awaiting payment…" />;
  if (openCheckoutNow && sameAsBasket) return <PageLoading label="Resuming your payment…" />;

  const lookupWarning = open.isError && (
    <Alert tone="warning" title="We couldn't check for an unfinished checkout" data-testid="open-checkout-unknown">
      {errorMessage(open.error)} You can still continue: if a checkout of yours is awaiting payment, you will find it under My orders.
    </Alert>
  );

  if (openCheckoutNow) {
    return (
      <>
        <PageHeader title="Checkout" description="You have a checkout awaiting payment." />
        <div className="grid gap-6 lg:grid-cols-[1fr_24rem]">
          <OpenCheckoutChoice
            checkout={openCheckoutNow}
            basketEmpty={lines.length === 0}
            onStartedFresh={() => {
              idempotencyKey.current = uuid();
              return open.refetch();
            }}
          />
          {lines.length > 0 && (
            <div className="grid content-start gap-3">
              <h2 className="text-lg font-semibold">Your basket now</h2>
              <BasketLines lines={lines} editable={false} />
            </div>
          )}
        </div>
      </>
    );
  }

  if (lines.length === 0) {
    return (
      <>
        <PageHeader title="Checkout" />
        <EmptyState
          title="Nothing to check out"
          action={
            <Button asChild>
              <Link to="/products">Browse groceries</Link>
            </Button>
          }
        >
          Your basket is empty. Add some groceries first.
        </EmptyState>
      </>
    );
  }

  const currency = lines[0].product.currency;
  const blocked = hasIssues || Object.keys(conflicts).length > 0;
  return (
    <>
      <PageHeader title="Checkout" description={withWindows.length ? "Choose when and where you get each order, then where we deliver." : "Where should we deliver?"} />
      <div className="grid gap-6 lg:grid-cols-[1fr_24rem]">
        <div className="grid content-start gap-6">
        {(withWindows.length > 0 || slots.pending || Object.keys(slots.errors).length > 0) && (
          <Card data-testid="checkout-windows">
            <CardHeader>
              <CardTitle>Delivery &amp; pickup</CardTitle>
            </CardHeader>
            <CardContent>
              <div ref={windowsRef} className="grid gap-4">
                {groups.map((group) => {
                  const terms = slots.bySeller[group.sellerId];
                  if (terms === undefined) {
                    return slots.errors[group.sellerId] ? (
                      <Alert key={group.sellerId} tone="error" title={`${group.sellerName}'s delivery windows could not be loaded`}>
                        {errorMessage(slots.errors[group.sellerId])}{" "}
                        <Button variant="link" className="h-auto p-0" onClick={() => void slots.refetch()}>
                          Try again
                        </Button>
                      </Alert>
                    ) : (
                      <p key={group.sellerId} className="text-sm text-muted-foreground">
                        Loading {group.sellerName}'s delivery windows…
                      </p>
                    );
                  }
                  if (terms === null) {
                    return (
                      <p key={group.sellerId} className="text-sm text-muted-foreground" data-testid="seller-arranges" data-seller-id={group.sellerId}>
                        <span className="font-medium text-foreground">{group.sellerName}:</span> delivery arranged by {group.sellerName}, to the address below. No delivery fee.
                      </p>
                    );
                  }
                  return (
                    <WindowPicker
                      key={group.sellerId}
                      sellerId={group.sellerId}
                      sellerName={group.sellerName}
                      terms={terms}
                      goodsCents={group.goodsCents}
                      currency={currency}
                      choice={choiceFor(group.sellerId)}
                      onChange={(choice) => choose(group.sellerId, choice)}
                      error={windowErrors[group.sellerId]}
                    />
                  );
                })}
              </div>
            </CardContent>
          </Card>
        )}
        <Card>
          <CardHeader>
            <CardTitle>Delivery address</CardTitle>
          </CardHeader>
          <CardContent>
            <div ref={formRef} className="grid gap-4">
              {lookupWarning}
              {book.isError && (
                <Alert tone="warning" title="We couldn't load your saved addresses" data-testid="address-book-unavailable">
                  {errorMessage(book.error)} You can type the address below.
                </Alert>
              )}
              <AddressForm
                value={address}
                onChange={setAddress}
                errors={errors}
                onSubmit={placeOrder}
                showFields={!chosen}
                before={
                  saved.length > 0 && (
                    <SavedAddressPicker
                      addresses={saved}
                      value={deliverTo}
                      onChange={(value) => {
                        setPicked(value);
                        setErrors({});
                        setSubmitError(null);
                      }}
                    />
                  )
                }
              >
                {!chosen && (
                  <label className="flex items-start gap-3 rounded-md border p-3 text-sm">
                    <input
                      type="checkbox"
                      name="save_to_book"
                      checked={saveToBook}
                      onChange={(event) => setSaveToBook(event.target.checked)}
                      className="mt-0.5 size-4 accent-green-800"
                      data-testid="save-to-book"
                    />
                    <span>
                      <span className="font-medium">Save to my address book</span>
                      <span className="block text-muted-foreground">
                        {saved.length ? "Pick it next time instead of typing it." : "It becomes your default: next time checkout is filled in for you."}
                      </span>
                    </span>
                  </label>
                )}
                {submitError && (
                  <Alert tone="error" title="We couldn't place your order" data-testid="checkout-error">
                    {submitError}
                  </Alert>
                )}
                {blocked && !submitError && (
                  <Alert tone="warning">Some items in your basket need attention before you can continue.</Alert>
                )}
                <StickyAction>
                  <Button type="submit" size="lg" loading={submitting} disabled={blocked} data-testid="place-order">
                    {submitting ? "Reserving your items…" : <>Continue to payment · {formatCents(basketAuthorisedCents(lines) + feesCents, currency)}</>}
                  </Button>
                </StickyAction>
              </AddressForm>
            </div>
          </CardContent>
        </Card>
        </div>
        <div className="grid content-start gap-3">
          <h2 className="text-lg font-semibold">Your basket</h2>
          <BasketLines lines={lines} issues={issues} />
          <BasketEstimate lines={lines} feesCents={feesCents} showFees={withWindows.some((group) => slots.bySeller[group.sellerId]?.delivery)} />
        </div>
      </div>
    </>
  );
}

/** The order's copy of a saved address: its fields, with the account's phone when the address has none. */
function shippingFrom(entry: SavedAddress, accountPhone: string | null | undefined): ShippingAddress {
  return cleanAddress(toDraft({ ...entry, phone: entry.phone || accountPhone }));
}

/** Adds the address to the book after the order is placed; the order never depends on it. */
async function saveAddress(shipping: ShippingAddress) {
  try {
    await api.addAddress({ ...shipping, is_default: false });
  } catch (error) {
    toast("Your order is placed, but the address was not saved", { description: errorMessage(error), tone: "error" });
  }
}

/**
 * An open checkout that no longer matches the basket: never start a second one silently. Resuming
 * pays for what that checkout holds (the basket keeps everything else); starting fresh cancels it
 * (nothing was charged) and checks out the basket as it is now.
 */
function OpenCheckoutChoice({
  checkout,
  basketEmpty,
  onStartedFresh,
}: {
  checkout: Checkout;
  basketEmpty: boolean;
  onStartedFresh: () => Promise<unknown>;
}) {
  const queryClient = useQueryClient();
  const [cancelling, setCancelling] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const awaiting = checkout.orders.filter((order) => order.status === "pending_payment");
  const amount = formatMoney(checkout.payment?.amount ?? checkout.amount, checkout.payment?.currency ?? checkout.currency);

  async function startFresh() {
    setCancelling(true);
    setError(null);
    try {
      const results = await Promise.allSettled(
        awaiting.filter((order) => (order.allowed_transitions ?? []).includes("cancelled")).map((order) => api.updateOrderStatus(order.id, "cancelled")),
      );
      const failed = results.find((result) => result.status === "rejected");
      if (failed) throw (failed as PromiseRejectedResult).reason;
      openCheckout.forget(checkout.checkout_id);
      queryClient.invalidateQueries({ queryKey: ["orders"] });
      queryClient.invalidateQueries({ queryKey: ["product"] });
      await onStartedFresh();
    } catch (failure) {
      setError(errorMessage(failure));
    } finally {
      setCancelling(false);
    }
  }

  return (
    <Card className="h-fit" data-testid="open-checkout" data-checkout-id={checkout.checkout_id}>
      <CardHeader>
        <CardTitle>A checkout is waiting for payment</CardTitle>
      </CardHeader>
      <CardContent className="grid gap-4 text-sm">
        <p>
          You started a checkout of {plural(awaiting.length, "order")} for <strong>{amount}</strong> (to authorise). Its items are
          reserved for you: <TimeLeft expiresAt={checkout.expires_at} onExpire={() => void onStartedFresh()} />.
        </p>
        <ul className="grid gap-1 rounded-md border bg-muted/40 p-3" aria-label="In that checkout">
          {awaiting.flatMap((order) =>
            order.items.map((line) => (
              <li key={`${order.id}-${line.line_id || line.product_id}`}>
                {line.sold_by === "weight" ? formatGrams(line.weight_g ?? 0) : `${line.quantity} ×`} {line.name}{" "}
                <span className="text-muted-foreground">from {order.seller_name || "seller"}</span>
              </li>
            )),
          )}
        </ul>
        {basketEmpty ? (
          <p>Your basket is empty now, but you can still pay for that checkout.</p>
        ) : (
          <p data-testid="basket-changed">
            Your basket has changed since, so we won't start a second checkout on top of it. <strong>Resume</strong> pays for the items above only; anything else
            stays in your basket. <strong>Start fresh</strong> cancels that checkout (nothing has been charged) and checks out your basket as it is now.
          </p>
        )}
        {error && (
          <Alert tone="error" title="The open checkout could not be cancelled" data-testid="start-fresh-error">
            {error}
          </Alert>
        )}
        <div className="flex flex-wrap gap-2">
          <Button asChild size="lg">
            <Link to={`/checkout/pay/${encodeURIComponent(checkout.checkout_id)}`} data-testid="resume-checkout">
              Resume payment · {amount}
            </Link>
          </Button>
          {!basketEmpty && (
            <Button variant="outline" size="lg" loading={cancelling} onClick={startFresh} data-testid="start-fresh">
              {cancelling ? "Cancelling…" : "Start fresh with my basket"}
            </Button>
          )}
        </div>
      </CardContent>
    </Card>
  );
}
