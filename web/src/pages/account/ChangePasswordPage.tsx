import { useState, type FormEvent } from "react";
import { PageHeader } from "@/components/PageHeader";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardContent } from "@/components/ui/card";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { api } from "@/lib/api";
import { errorMessage, fieldErrors, isApiError } from "@/lib/api/errors";
import { checkNewPassword } from "@/lib/passwords";

/** `/account/password`: change the password while signed in. This session goes on; every other one ends. */
export default function ChangePasswordPage() {
  const [current, setCurrent] = useState("");
  const [password, setPassword] = useState("");
  const [repeat, setRepeat] = useState("");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const local: Record<string, string> = {};
    if (!current) local.current_password = "Enter your current password.";
    const problem = checkNewPassword(password);
    if (problem) local.new_password = problem;
    else if (password !== repeat) local.repeat = "The two passwords are not the same.";
    else if (password === current) local.new_password = "Choose a password different from the current one.";
    setErrors(local);
    setFormError(null);
    setDone(false);
    if (Object.keys(local).length) return;
    setBusy(true);
    try {
      await api.changePassword({ current_password: current, new_password: password });
      setCurrent("");
      setPassword("");
      setRepeat("");
      setDone(true);
    } catch (error) {
      if (isApiError(error) && error.code === "wrong_password") {
        setErrors({ current_password: error.message });
      } else {
        setErrors(fieldErrors(error));
        setFormError(errorMessage(error));
      }
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="mx-auto max-w-md">
      <PageHeader title="Change password" description="You stay signed in here; every other device is signed out." />
      <Card>
        <CardContent className="pt-5">
          <form onSubmit={submit} noValidate className="grid gap-4" aria-label="Change password">
            {done && (
              <Alert tone="success" title="Password changed" data-testid="password-changed">
                Use your new password from now on. Other devices have been signed out.
              </Alert>
            )}
            {formError && (
              <Alert tone="error" data-testid="password-error">
                {formError}
              </Alert>
            )}
            <Field label="Current password" error={errors.current_password}>
              <Input type="password" name="current_password" autoComplete="current-password" value={current} onChange={(e) => setCurrent(e.target.value)} autoFocus />
            </Field>
            <Field label="New password" error={errors.new_password} hint="At least 8 characters.">
              <Input type="password" name="new_password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} />
            </Field>
            <Field label="Repeat the new password" error={errors.repeat}>
              <Input type="password" name="repeat" autoComplete="new-password" value={repeat} onChange={(e) => setRepeat(e.target.value)} />
            </Field>
            <Button type="submit" size="lg" loading={busy}>
              Change password
            </Button>
          </form>
        </CardContent>
      </Card>
    </div>
  );
}
