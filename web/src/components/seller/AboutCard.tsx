import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Store } from "lucide-react";
import { useState, type FormEvent } from "react";
import { Link } from "react-router";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Field } from "@/components/ui/field";
import { Textarea } from "@/components/ui/input";
import { Skeleton } from "@/components/ui/skeleton";
import { toast } from "@/components/ui/toast";
import { api } from "@/lib/api";
import { errorMessage } from "@/lib/api/errors";
import { keys, useSellerProfile } from "@/lib/queries";

/** The API's limit, in characters (code points: an emoji counts once, as the server counts it). */
export const ABOUT_MAX = 500;

export function aboutLength(text: string): number {
  return [...text.trim()].length;
}

/** The dashboard's "Your shop page" card: the seller's about text, with a counter, and a link to their page. */
export function AboutCard() {
  const profile = useSellerProfile();
  const queryClient = useQueryClient();
  const [about, setAbout] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const saved = profile.data?.about ?? "";
  const text = about ?? saved;
  const save = useMutation({
    mutationFn: (value: string) => api.saveSellerAbout(value),
    onMutate: () => setError(null),
    onSuccess: (updated) => {
      queryClient.setQueryData(keys.sellerProfile, updated);
      queryClient.invalidateQueries({ queryKey: keys.sellerPage(updated.id) });
      setAbout(null);
      toast("Your shop page is saved");
    },
    onError: (err) => setError(errorMessage(err)),
  });

  if (profile.isPending) return <Skeleton className="h-48" />;
  if (profile.isError) return <Alert tone="error" title="Your shop page could not be loaded">{errorMessage(profile.error)}</Alert>;

  const length = aboutLength(text);
  const over = length > ABOUT_MAX;
  const changed = text.trim() !== saved;
  function submit(event: FormEvent) {
    event.preventDefault();
    if (!over && changed) save.mutate(text.trim());
  }

  return (
    <Card data-testid="about-card">
      <CardHeader>
        <CardTitle className="flex items-center gap-2">
          <Store className="size-5 text-primary" aria-hidden="true" /> Your shop page
        </CardTitle>
        <CardDescription>
          {profile.data.listed ? (
            <>
              Shoppers reach it from "Sold by {profile.data.name}" on your products.{" "}
              <Link to={`/sellers/${profile.data.id}`} className="font-medium text-primary hover:underline" data-testid="own-page-link">
                See your page
              </Link>
            </>
          ) : (
            "Shoppers see it once your payouts are set up. You can write it now."
          )}
        </CardDescription>
      </CardHeader>
      <CardContent>
        <form className="grid gap-3" onSubmit={submit} noValidate>
          <Field
            label="About your shop"
            hint={
              <span aria-live="polite" className={over ? "font-medium text-destructive" : undefined} data-testid="about-counter">
                {length} of {ABOUT_MAX} characters{over ? ` — ${length - ABOUT_MAX} too many` : ""}
              </span>
            }
            error={over ? `Keep it to ${ABOUT_MAX} characters.` : undefined}
          >
            <Textarea
              rows={4}
              value={text}
              onChange={(event) => setAbout(event.target.value)}
              placeholder="Who you are, what you grow or make, where you are."
              data-testid="about-input"
            />
          </Field>
          {error && (
            <Alert tone="error" data-testid="about-error">
              {error}
            </Alert>
          )}
          <div>
            <Button type="submit" loading={save.isPending} disabled={over || !changed || save.isPending} data-testid="about-save">
              Save
            </Button>
          </div>
        </form>
      </CardContent>
    </Card>
  );
}
