import { useState, type FormEvent } from "react";
import { Link, Navigate, useNavigate, useSearchParams } from "react-router";
import { PageHeader } from "@/components/PageHeader";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardContent } from "@/components/ui/card";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { errorMessage, fieldErrors, isApiError } from "@/lib/api/errors";
import { checkPhone } from "@/lib/countries";
import { homeFor, useAuth } from "@/lib/auth";
import { emailProblem, TEXT_LIMITS, tooLong } from "@/lib/validation";
import { safeNext } from "./LoginPage";

interface SignupForm {
  full_name: string;
  email: string;
  password: string;
  phone: string;
  is_seller: boolean;
}

/** Mirrors the API's SignupRequest rules so most mistakes are caught before a round trip. */
export function validateSignup(form: SignupForm): Record<string, string> {
  const errors: Record<string, string> = {};
  const put = (field: string, problem: string | undefined) => {
    if (problem) errors[field] = problem;
  };
  put("full_name", form.full_name.trim() ? tooLong("Full name", form.full_name, TEXT_LIMITS.full_name) : "Full name is required.");
  put("email", emailProblem(form.email));
  if (form.password.length < 8) errors.password = "Password must be at least 8 characters.";
  else if (new TextEncoder().encode(form.password).length > 72) errors.password = "Password can be at most 72 bytes: fewer characters, or fewer accented ones.";
  const phone = form.phone.trim();
  if (phone) put("phone", tooLong("Phone", phone, TEXT_LIMITS.phone) ?? checkPhone(phone) ?? undefined); // the profile's rule
  return errors;
}

export default function SignupPage() {
  const { user, signup } = useAuth();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const next = safeNext(params.get("next"));
  const [form, setForm] = useState<SignupForm>({ full_name: "", email: "", password: "", phone: "", is_seller: params.get("seller") === "1" });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  if (user && !busy) return <Navigate to={next ?? homeFor(user)} replace />;

  const set = (key: keyof SignupForm) => (event: React.ChangeEvent<HTMLInputElement>) =>
    setForm((current) => ({ ...current, [key]: key === "is_seller" ? event.target.checked : event.target.value }));

  async function submit(event: FormEvent) {
    event.preventDefault();
    const local = validateSignup(form);
    setErrors(local);
    setFormError(null);
    if (Object.keys(local).length) return;
    setBusy(true);
    try {
      const created = await signup({
        full_name: form.full_name.trim(),
        email: form.email.trim(),
        password: form.password,
        ...(form.phone.trim() ? { phone: form.phone.trim() } : {}),
        is_seller: form.is_seller,
      });
      navigate(next ?? homeFor(created), { replace: true });
    } catch (error) {
      setErrors(fieldErrors(error));
      if (isApiError(error) && error.status === 409) {
        setErrors({ email: "An account with this email already exists." });
        setFormError(null);
      } else {
        setFormError(isApiError(error) && error.isValidation ? "Please check the highlighted fields." : errorMessage(error));
      }
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="mx-auto max-w-md">
      <PageHeader title="Create your account" description="Shop from every seller with one basket — or open your own shop." />
      <Card>
        <CardContent className="pt-5">
          <form onSubmit={submit} noValidate className="grid gap-4" aria-label="Sign up">
            {formError && <Alert tone="error">{formError}</Alert>}
            <Field label="Full name" error={errors.full_name}>
              <Input name="full_name" autoComplete="name" value={form.full_name} onChange={set("full_name")} />
            </Field>
            <Field label="Email" error={errors.email} hint={errors.email ? undefined : "For example name@example.com"}>
              <Input type="email" name="email" autoComplete="email" value={form.email} onChange={set("email")} />
            </Field>
            <Field label="Password" hint="At least 8 characters." error={errors.password}>
              <Input type="password" name="password" autoComplete="new-password" value={form.password} onChange={set("password")} />
            </Field>
            <Field label="Phone (optional)" error={errors.phone}>
              <Input type="tel" name="phone" autoComplete="tel" value={form.phone} onChange={set("phone")} />
            </Field>
            <label className="flex items-start gap-3 rounded-md border p-3 text-sm">
              <input type="checkbox" name="is_seller" checked={form.is_seller} onChange={set("is_seller")} className="mt-0.5 size-4 accent-green-800" />
              <span>
                <span className="font-medium">I want to sell on SmartGrocer</span>
                <span className="block text-muted-foreground">List products, receive orders and see your sales.</span>
              </span>
            </label>
            <Button type="submit" size="lg" loading={busy}>
              Create account
            </Button>
            <p className="text-center text-sm text-muted-foreground">
              Already have an account?{" "}
              <Link to={`/login${next ? `?next=${encodeURIComponent(next)}` : ""}`} className="font-medium text-primary hover:underline">
                Log in
              </Link>
            </p>
          </form>
        </CardContent>
      </Card>
    </div>
  );
}
