import { useState, type FormEvent } from "react";
import { Link } from "react-router";
import { PageHeader } from "@/components/PageHeader";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardContent } from "@/components/ui/card";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { api } from "@/lib/api";
import { errorMessage, fieldErrors } from "@/lib/api/errors";

/** Asks for a reset link. The API answers the same whether or not the address has an account. */
export default function ForgotPasswordPage() {
  const [email, setEmail] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [sent, setSent] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    if (!email.trim()) {
      setError("Enter the email address you sign in with.");
      return;
    }
    setBusy(true);
    try {
      const answer = await api.requestPasswordReset(email.trim());
      setSent(answer.message);
    } catch (err) {
      setError(fieldErrors(err).email ?? errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="mx-auto max-w-md">
      <PageHeader title="Forgot your password?" description="We'll mail you a link to choose a new one." />
      <Card>
        <CardContent className="pt-5">
          {sent ? (
            <div className="grid gap-4">
              <Alert tone="success" title="Check your mail" data-testid="reset-requested">
                {sent} If nothing arrives within a few minutes, check your spam folder or try again.
              </Alert>
              <Link to="/login" className="text-center text-sm font-medium text-primary hover:underline">
                Back to log in
              </Link>
            </div>
          ) : (
            <form onSubmit={submit} noValidate className="grid gap-4" aria-label="Ask for a password reset link">
              <Field label="Email" error={error ?? undefined}>
                <Input type="email" name="email" autoComplete="email" value={email} onChange={(e) => setEmail(e.target.value)} autoFocus />
              </Field>
              <Button type="submit" size="lg" loading={busy}>
                Send me a link
              </Button>
              <p className="text-center text-sm text-muted-foreground">
                Remembered it?{" "}
                <Link to="/login" className="font-medium text-primary hover:underline">
                  Log in
                </Link>
              </p>
            </form>
          )}
        </CardContent>
      </Card>
    </div>
  );
}
