import { useMutation, useQueryClient } from "@tanstack/react-query";
import { CalendarClock } from "lucide-react";
import { useRef, useState, type FormEvent, type ReactNode } from "react";
import { PageHeader } from "@/components/PageHeader";
import { SlotEditor } from "@/components/seller/SlotEditor";
import { ErrorState, PageLoading } from "@/components/states";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Field } from "@/components/ui/field";
import { Input, Select, Textarea } from "@/components/ui/input";
import { api } from "@/lib/api";
import { errorMessage } from "@/lib/api/errors";
import type { FulfilmentSettings } from "@/lib/api/models";
import { useAuth } from "@/lib/auth";
import {
  formFromSettings,
  MAX_CUTOFF_HOURS,
  serverFieldErrors,
  settingsRequest,
  timeZoneOptions,
  validateSettingsForm,
  windowsPerWeek,
  type SettingsForm,
} from "@/lib/fulfilmentSettings";
import { keys, useSellerFulfilment } from "@/lib/queries";

export default function SellerFulfilmentPage() {
  const settings = useSellerFulfilment();
  return (
    <>
      <PageHeader title="Delivery & pickup" description="When shoppers can get their orders from you: your delivery and pickup windows, fees and minimum order." />
      {settings.isPending ? (
        <PageLoading label="Loading your delivery settings…" />
      ) : settings.isError ? (
        <ErrorState error={settings.error} onRetry={() => settings.refetch()} title="Your delivery settings could not be loaded" />
      ) : (
        <SettingsEditor initial={settings.data} />
      )}
    </>
  );
}

/** The fields of the form that have a place on screen; server problems about other fields go in the summary. */
function isShownField(field: string): boolean {
  return (
    /^(timezone|delivery\.(enabled|fee|free_over|min_order|cutoff_hours)|pickup\.(address|cutoff_hours))$/.test(field) ||
    /^(delivery|pickup)\.slots(\.\d+(\.(weekday|start|end|capacity))?)?$/.test(field)
  );
}

export function SettingsEditor({ initial }: { initial: FulfilmentSettings }) {
  const queryClient = useQueryClient();
  const { user } = useAuth();
  const [form, setForm] = useState<SettingsForm>(() => formFromSettings(initial));
  const [configured, setConfigured] = useState(initial.configured);
  const [tried, setTried] = useState(false);
  const [serverErrors, setServerErrors] = useState<Record<string, string>>({});
  const [saved, setSaved] = useState<number | null>(null);
  const formRef = useRef<HTMLFormElement>(null);

  const localErrors = tried ? validateSettingsForm(form) : {};
  const errors = { ...serverErrors, ...localErrors };
  const unplaced = Object.entries(serverErrors).filter(([field]) => !isShownField(field));

  const save = useMutation({
    mutationFn: () => api.saveSellerFulfilment(settingsRequest(form)),
    onSuccess: (result) => {
      queryClient.setQueryData(keys.sellerFulfilment, result);
      if (user) void queryClient.invalidateQueries({ queryKey: keys.sellerSlots(user.id) });
      setServerErrors({});
      setConfigured(true);
      setSaved(windowsPerWeek(result));
    },
    onError: (error) => {
      setServerErrors(serverFieldErrors(error));
      focusFirstError();
    },
  });

  function focusFirstError() {
    requestAnimationFrame(() => formRef.current?.querySelector<HTMLElement>("[aria-invalid=true]")?.focus());
  }

  function change(next: SettingsForm) {
    setForm(next);
    setSaved(null);
    // What the server said was about the form as it was sent.
    if (Object.keys(serverErrors).length) setServerErrors({});
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    setTried(true);
    setSaved(null);
    const problems = validateSettingsForm(form);
    if (Object.keys(problems).length) {
      focusFirstError();
      return;
    }
    save.mutate();
  }

  const setDelivery = (patch: Partial<SettingsForm["delivery"]>) => change({ ...form, delivery: { ...form.delivery, ...patch } });
  const setPickup = (patch: Partial<SettingsForm["pickup"]>) => change({ ...form, pickup: { ...form.pickup, ...patch } });
  const zones = timeZoneOptions(form.timezone, initial.timezone);
  const count = Object.keys(errors).length;

  return (
    <form ref={formRef} onSubmit={submit} noValidate className="grid gap-6" data-testid="fulfilment-form">
      {!configured && (
        <Alert tone="info" title="You haven't set up delivery windows yet" data-testid="fulfilment-empty">
          <p>
            Windows are the times you deliver or have orders ready to collect, every week: say Tuesdays 09:00-12:00, up to 20 orders. At checkout, shoppers
            choose one of your windows in the next six days, so you know what to pack for each run and never take more than you can deliver.
          </p>
          <p className="mt-2">Until you set them up, shoppers see "Delivery arranged by {user?.full_name ?? "you"}" and pay no delivery fee.</p>
        </Alert>
      )}

      <Card>
        <CardHeader>
          <CardTitle>Time zone</CardTitle>
          <CardDescription>Your windows are in this zone's local time, summer time included.</CardDescription>
        </CardHeader>
        <CardContent>
          <Field label="Time zone" error={errors.timezone} className="max-w-sm">
            <Select value={form.timezone} onChange={(event) => change({ ...form, timezone: event.target.value })} data-testid="timezone">
              {zones.map((zone) => (
                <option key={zone} value={zone}>
                  {zone.replaceAll("_", " ")}
                </option>
              ))}
            </Select>
          </Field>
        </CardContent>
      </Card>

      <Section
        title="Delivery"
        description="You bring orders to the shopper's address during the window."
        enabled={form.delivery.enabled}
        onToggle={(enabled) => setDelivery({ enabled })}
        toggleLabel="Offer delivery"
        toggleError={errors["delivery.enabled"]}
        testId="delivery-section"
      >
        <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-4">
          <Field label="Delivery fee" error={errors["delivery.fee"]} hint="Leave empty for free delivery.">
            <Input inputMode="decimal" placeholder="0.00" value={form.delivery.fee} onChange={(event) => setDelivery({ fee: event.target.value })} />
          </Field>
          <Field label="Free delivery over" error={errors["delivery.free_over"]} hint="Orders reaching this deliver free. Empty: never free.">
            <Input inputMode="decimal" placeholder="e.g. 40.00" value={form.delivery.free_over} onChange={(event) => setDelivery({ free_over: event.target.value })} />
          </Field>
          <Field label="Minimum order" error={errors["delivery.min_order"]} hint="The least a delivered order must come to.">
            <Input inputMode="decimal" placeholder="0.00" value={form.delivery.min_order} onChange={(event) => setDelivery({ min_order: event.target.value })} />
          </Field>
          <Field label="Cut-off (hours)" error={errors["delivery.cutoff_hours"]} hint={`Orders close this long before a window starts (0-${MAX_CUTOFF_HOURS}).`}>
            <Input inputMode="numeric" value={form.delivery.cutoff_hours} onChange={(event) => setDelivery({ cutoff_hours: event.target.value })} />
          </Field>
        </div>
        <h3 className="text-sm font-semibold">Weekly delivery windows</h3>
        <SlotEditor method="delivery" rows={form.delivery.slots} onChange={(slots) => setDelivery({ slots })} errors={errors} />
      </Section>

      <Section
        title="Pickup"
        description="Shoppers collect their orders from you during the window. Pickup is free and has no minimum."
        enabled={form.pickup.enabled}
        onToggle={(enabled) => setPickup({ enabled })}
        toggleLabel="Offer pickup"
        testId="pickup-section"
      >
        <div className="grid gap-4 sm:grid-cols-[2fr_1fr]">
          <Field label="Pickup address" error={errors["pickup.address"]} hint="Where shoppers collect, as they should read it.">
            <Textarea className="min-h-16" value={form.pickup.address} maxLength={300} onChange={(event) => setPickup({ address: event.target.value })} />
          </Field>
          <Field label="Cut-off (hours)" error={errors["pickup.cutoff_hours"]} hint={`Orders close this long before a window starts (0-${MAX_CUTOFF_HOURS}).`}>
            <Input inputMode="numeric" value={form.pickup.cutoff_hours} onChange={(event) => setPickup({ cutoff_hours: event.target.value })} />
          </Field>
        </div>
        <h3 className="text-sm font-semibold">Weekly pickup windows</h3>
        <SlotEditor method="pickup" rows={form.pickup.slots} onChange={(slots) => setPickup({ slots })} errors={errors} />
      </Section>

      {unplaced.length > 0 && (
        <Alert tone="error" title="These settings could not be saved" data-testid="fulfilment-other-errors">
          <ul className="list-disc pl-4">
            {unplaced.map(([field, message]) => (
              <li key={field}>{field ? `${field}: ${message}` : message}</li>
            ))}
          </ul>
        </Alert>
      )}
      {save.isError && Object.keys(serverErrors).length === 0 && (
        <Alert tone="error" title="Your settings could not be saved" data-testid="fulfilment-save-error">
          {errorMessage(save.error)}
        </Alert>
      )}
      {saved !== null && (
        <Alert tone="success" title="Saved" data-testid="fulfilment-saved">
          Shoppers can now choose from your {saved} window{saved === 1 ? "" : "s"} a week. Orders already placed keep their window and fee.
        </Alert>
      )}
      <div className="flex flex-wrap items-center gap-3">
        <Button type="submit" size="lg" loading={save.isPending} data-testid="save-fulfilment">
          <CalendarClock aria-hidden="true" /> {save.isPending ? "Saving…" : "Save delivery & pickup"}
        </Button>
        {count > 0 && (
          <p className="text-sm text-destructive" role="status" data-testid="fulfilment-error-count">
            {count === 1 ? "1 thing to fix" : `${count} things to fix`} before saving.
          </p>
        )}
      </div>
    </form>
  );
}

function Section({
  title,
  description,
  enabled,
  onToggle,
  toggleLabel,
  toggleError,
  testId,
  children,
}: {
  title: string;
  description: string;
  enabled: boolean;
  onToggle: (enabled: boolean) => void;
  toggleLabel: string;
  toggleError?: string;
  testId: string;
  children: ReactNode;
}) {
  return (
    <Card data-testid={testId}>
      <CardHeader>
        <CardTitle>{title}</CardTitle>
        <CardDescription>{description}</CardDescription>
      </CardHeader>
      <CardContent className="grid gap-4">
        <label className="flex w-fit cursor-pointer items-center gap-2 text-sm font-medium">
          <input
            type="checkbox"
            className="size-4 accent-[var(--color-primary)]"
            checked={enabled}
            onChange={(event) => onToggle(event.target.checked)}
            aria-invalid={toggleError ? true : undefined}
          />
          {toggleLabel}
        </label>
        {toggleError && (
          <p className="text-sm text-destructive" data-testid="field-error">
            {toggleError}
          </p>
        )}
        {!enabled && (
          <p className="text-sm text-muted-foreground">Off: shoppers can't choose {title.toLowerCase()} from you. What you set below is kept for when you turn it on.</p>
        )}
        {children}
      </CardContent>
    </Card>
  );
}
