import { useState, type FormEvent } from "react";
import { Link, useSearchParams } from "react-router";
import { PageHeader } from "@/components/PageHeader";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardContent } from "@/components/ui/card";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { api, sessionStore } from "@/lib/api";
import { errorMessage, fieldErrors, isApiError } from "@/lib/api/errors";
import { checkNewPassword } from "@/lib/passwords";

/** Where a mailed link lands (`/reset-password?token=...`): choose a new password, then sign in. */
export default function ResetPasswordPage() {
  const [params] = useSearchParams();
  const token = params.get("token") ?? "";
  const [password, setPassword] = useState("");
  const [repeat, setRepeat] = useState("");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [linkDead, setLinkDead] = useState(false);
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const local: Record<string, string> = {};
    const problem = checkNewPassword(password);
    if (problem) local.new_password = problem;
    else if (password !== repeat) local.repeat = "The two passwords are not the same.";
    setErrors(local);
    setFormError(null);
    if (Object.keys(local).length) return;
    setBusy(true);
    try {
      await api.confirmPasswordReset({ token, new_password: password });
      sessionStore.set(null); // every session of the account has ended, this browser's too
      setDone(true);
    } catch (error) {
      setErrors(fieldErrors(error));
      setLinkDead(isApiError(error) && (error.code === "reset_token_invalid" || error.code === "reset_token_expired"));
      setFormError(errorMessage(error));
    } finally {
      setBusy(false);
    }
  }

  if (!token) {
    return (
      <div className="mx-auto max-w-md">
        <PageHeader title="Choose a new password" />
        <Alert tone="error" title="This link is incomplete">
          Open the link from the mail again, or <Link to="/forgot-password" className="font-medium underline">ask for a new one</Link>.
        </Alert>
      </div>
    );
  }

  return (
    <div className="mx-auto max-w-md">
      <PageHeader title="Choose a new password" description="Setting it signs you out on every device." />
      <Card>
        <CardContent className="pt-5">
          {done ? (
            <div className="grid gap-4">
              <Alert tone="success" title="Your password is changed" data-testid="reset-done">
                Log in with your new password.
              </Alert>
              <Button asChild size="lg">
                <Link to="/login">Log in</Link>
              </Button>
            </div>
          ) : (
            <form onSubmit={submit} noValidate className="grid gap-4" aria-label="Choose a new password">
              {formError && (
                <Alert
                  tone="error"
                  data-testid="reset-error"
                  action={
                    linkDead ? (
                      <Link to="/forgot-password" className="font-medium underline">
                        Ask for a new link
                      </Link>
                    ) : undefined
                  }
                >
                  {formError}
                </Alert>
              )}
              <Field label="New password" error={errors.new_password} hint="At least 8 characters.">
                <Input type="password" name="new_password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} autoFocus />
              </Field>
              <Field label="Repeat the new password" error={errors.repeat}>
                <Input type="password" name="repeat" autoComplete="new-password" value={repeat} onChange={(e) => setRepeat(e.target.value)} />
              </Field>
              <Button type="submit" size="lg" loading={busy}>
                Set new password
              </Button>
            </form>
          )}
        </CardContent>
      </Card>
    </div>
  );
}
