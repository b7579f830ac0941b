import { useState, type FormEvent } from "react";
import { useNavigate } from "react-router";
import { PageHeader } from "@/components/PageHeader";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardContent } from "@/components/ui/card";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { api, errorMessage, isApiError } from "@/lib/api";

/** An order's long id (from an old link or a log): opened as it is, without a search. */
const ORDER_ID = /^[0-9a-f]{24}$/i;

export default function AdminOrderLookupPage() {
  const navigate = useNavigate();
  const [number, setNumber] = useState("");
  const [error, setError] = useState<string | undefined>();
  const [notFound, setNotFound] = useState<string | null>(null);
  const [searching, setSearching] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const typed = number.trim().replace(/^#/, "");
    setNotFound(null);
    if (!typed) {
      setError("Type the order number, e.g. SG-7K3F-92.");
      return;
    }
    if (ORDER_ID.test(typed)) {
      navigate(`/orders/${encodeURIComponent(typed)}`);
      return;
    }
    setError(undefined);
    setSearching(true);
    try {
      const found = await api.adminFindOrders(typed);
      if (found.items.length > 0) navigate(`/orders/${encodeURIComponent(found.items[0].id)}`);
      else setNotFound(typed.toUpperCase());
    } catch (failure) {
      setError(isApiError(failure) && failure.status === 422 ? failure.message : errorMessage(failure));
    } finally {
      setSearching(false);
    }
  }

  return (
    <div className="max-w-xl">
      <PageHeader title="Find an order" description="Open any order by its number to see its progress, refund or cancel it." />
      <Card>
        <CardContent className="pt-5">
          <form onSubmit={submit} className="grid gap-4" noValidate aria-label="Find an order">
            <Field label="Order number" error={error} hint="As shown in mails and on order pages, e.g. SG-7K3F-92. Case and dashes do not matter.">
              <Input
                value={number}
                onChange={(event) => setNumber(event.target.value)}
                autoComplete="off"
                spellCheck={false}
                placeholder="SG-7K3F-92"
                data-testid="order-number-input"
              />
            </Field>
            <Button type="submit" className="justify-self-start" disabled={searching} aria-busy={searching}>
              {searching ? "Searching…" : "Find order"}
            </Button>
            {notFound && (
              <Alert tone="warning" title="No such order" data-testid="order-not-found">
                No order has the number {notFound}. Check it against the mail or the shopper's order page.
              </Alert>
            )}
          </form>
        </CardContent>
      </Card>
    </div>
  );
}
