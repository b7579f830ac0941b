import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { BadgeCheck, Clock, Wallet } from "lucide-react";
import { useEffect, useState } from "react";
import { useSearchParams } from "react-router";
import { api } from "@/lib/api";
import { errorMessage } from "@/lib/api/errors";
import type { PayoutAccount } from "@/lib/api/models";
import { formatRate } from "@/lib/payouts";
import { keys } from "@/lib/queries";
import { Alert } from "../ui/alert";
import { Button } from "../ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "../ui/card";
import { Skeleton } from "../ui/skeleton";

/** Sends the browser to the payment provider's onboarding page (a seam for tests). */
export const navigateTo = { assign: (url: string) => window.location.assign(url) };

/**
 * The seller's payout account on the dashboard: set it up (the payment provider's onboarding), wait
 * while it is checked, or see it active with the commission. Coming back from onboarding
 * (`?payouts=done`) reads it again.
 */
export function PayoutAccountCard() {
  const queryClient = useQueryClient();
  const [params, setParams] = useSearchParams();
  const returned = params.get("payouts") === "done";
  const account = useQuery({ queryKey: keys.sellerPayoutAccount, queryFn: ({ signal }) => api.sellerPayoutAccount(signal) });
  const [redirecting, setRedirecting] = useState(false);
  const onboarding = useMutation({
    mutationFn: () => api.startPayoutOnboarding(),
    onSuccess: ({ url }) => {
      setRedirecting(true);
      navigateTo.assign(url);
    },
  });

  useEffect(() => {
    if (!returned) return;
    queryClient.invalidateQueries({ queryKey: keys.sellerPayoutAccount });
    queryClient.invalidateQueries({ queryKey: keys.sellerPayouts });
    setParams((current) => {
      const next = new URLSearchParams(current);
      next.delete("payouts");
      return next;
    }, { replace: true });
  }, [returned, queryClient, setParams]);

  return (
    <Card data-testid="payout-account" data-status={account.data?.status}>
      <CardHeader>
        <CardTitle className="flex items-center gap-2">
          <Wallet className="size-5 text-primary" aria-hidden="true" /> Payouts
        </CardTitle>
        <CardDescription>Where the money for your orders goes.</CardDescription>
      </CardHeader>
      <CardContent className="grid gap-3">
        {account.isPending ? (
          <Skeleton className="h-16" aria-label="Loading your payout account" />
        ) : account.isError ? (
          <Alert tone="error" action={<Button size="sm" variant="outline" onClick={() => account.refetch()}>Try again</Button>}>
            Your payout account could not be loaded: {errorMessage(account.error)}
          </Alert>
        ) : (
          <AccountState
            account={account.data}
            busy={onboarding.isPending || redirecting}
            onSetUp={() => onboarding.mutate()}
          />
        )}
        {onboarding.isError && (
          <Alert tone="error" data-testid="onboarding-error">
            The set-up page could not be opened: {errorMessage(onboarding.error)}
          </Alert>
        )}
      </CardContent>
    </Card>
  );
}

function AccountState({ account, busy, onSetUp }: { account: PayoutAccount; busy: boolean; onSetUp: () => void }) {
  const rate = (
    <p className="text-sm text-muted-foreground" data-testid="payout-commission-rate">
      Commission: {formatRate(account.commission_bps)} of what is charged
      {account.commission_bps !== account.platform_commission_bps && <> (your own rate; the platform's is {formatRate(account.platform_commission_bps)})</>}
    </p>
  );
  if (account.status === "active") {
    return (
      <>
        <p className="flex items-center gap-2 font-semibold text-green-900" data-testid="payout-account-status">
          <BadgeCheck className="size-5" aria-hidden="true" /> Payouts active
        </p>
        {rate}
      </>
    );
  }
  const pending = account.status === "pending";
  return (
    <>
      <p className="flex items-center gap-2 font-semibold" data-testid="payout-account-status">
        {pending ? <Clock className="size-5 text-amber-700" aria-hidden="true" /> : null}
        {pending ? "Stripe is checking your details" : "Set up payouts to start selling"}
      </p>
      <p className="text-sm text-muted-foreground">
        {pending
          ? "Shoppers can buy your products once your account is active. If Stripe asked for more, continue the set-up."
          : "Your products are listed and sold once Stripe can pay you. It takes a few minutes."}
      </p>
      {rate}
      <Button onClick={onSetUp} loading={busy} className="justify-self-start" data-testid="payout-setup">
        {pending ? "Continue set-up" : "Set up payouts"}
      </Button>
    </>
  );
}
