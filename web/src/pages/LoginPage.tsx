import { useState, type FormEvent } from "react";
import { Link, Navigate, useNavigate, useSearchParams } from "react-router";
import { PageHeader } from "@/components/PageHeader";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardContent } from "@/components/ui/card";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { errorMessage, fieldErrors, isApiError } from "@/lib/api/errors";
import { homeFor, useAuth } from "@/lib/auth";

/** Only same-site paths: never bounce the user to another origin after login. */
export function safeNext(next: string | null): string | null {
  return next && next.startsWith("/") && !next.startsWith("//") ? next : null;
}

export default function LoginPage() {
  const { user, login } = useAuth();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const next = safeNext(params.get("next"));
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  if (user && !busy) return <Navigate to={next ?? homeFor(user)} replace />;

  async function submit(event: FormEvent) {
    event.preventDefault();
    const local: Record<string, string> = {};
    if (!email.trim()) local.email = "Enter your email address.";
    if (!password) local.password = "Enter your password.";
    setErrors(local);
    setFormError(null);
    if (Object.keys(local).length) return;
    setBusy(true);
    try {
      const signedIn = await login({ email: email.trim(), password });
      navigate(next ?? homeFor(signedIn), { replace: true });
    } catch (error) {
      setErrors(fieldErrors(error));
      // A deactivated account hears so (and how to reach support) only once its password was right.
      setFormError(
        isApiError(error) && error.status === 401 ? "That email and password don't match an account." : errorMessage(error),
      );
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="mx-auto max-w-md">
      <PageHeader title="Log in" description="Welcome back to SmartGrocer." />
      <Card>
        <CardContent className="pt-5">
          <form onSubmit={submit} noValidate className="grid gap-4" aria-label="Log in">
            {formError && (
              <Alert tone="error" data-testid="login-error">
                {formError}
              </Alert>
            )}
            <Field label="Email" error={errors.email}>
              <Input type="email" name="email" autoComplete="email" value={email} onChange={(e) => setEmail(e.target.value)} autoFocus />
            </Field>
            <Field
              label="Password"
              error={errors.password}
              hint={
                <Link to="/forgot-password" className="font-medium text-primary hover:underline" data-testid="forgot-password">
                  Forgot your password?
                </Link>
              }
            >
              <Input type="password" name="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} />
            </Field>
            <Button type="submit" size="lg" loading={busy}>
              Log in
            </Button>
            <p className="text-center text-sm text-muted-foreground">
              New here?{" "}
              <Link to={`/signup${next ? `?next=${encodeURIComponent(next)}` : ""}`} className="font-medium text-primary hover:underline">
                Create an account
              </Link>
            </p>
          </form>
        </CardContent>
      </Card>
    </div>
  );
}
