import { useState, type FormEvent } from "react";
import { useNavigate } from "react-router";
import { PageHeader } from "@/components/PageHeader";
import { Button } from "@/components/ui/button";
import { Card, CardContent } from "@/components/ui/card";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";

export default function AdminOrderLookupPage() {
  const navigate = useNavigate();
  const [orderId, setOrderId] = useState("");
  const [error, setError] = useState<string | undefined>();

  function submit(event: FormEvent) {
    event.preventDefault();
    const id = orderId.trim().replace(/^#/, "");
    if (!id) {
      setError("Paste the full order id.");
      return;
    }
    navigate(`/orders/${encodeURIComponent(id)}`);
  }

  return (
    <div className="max-w-xl">
      <PageHeader title="Find an order" description="Open any order by its id to see its progress or cancel it." />
      <Card>
        <CardContent className="pt-5">
          <form onSubmit={submit} className="grid gap-4" noValidate aria-label="Find an order">
            <Field label="Order id" error={error} hint="The full id, as shown in emails and URLs.">
              <Input value={orderId} onChange={(event) => setOrderId(event.target.value)} autoComplete="off" data-testid="order-id-input" />
            </Field>
            <Button type="submit" className="justify-self-start">
              Open order
            </Button>
          </form>
        </CardContent>
      </Card>
    </div>
  );
}
