import { useQueryClient } from "@tanstack/react-query";
import { KeyRound, MapPin, Plus } from "lucide-react";
import { useRef, useState, type FormEvent } from "react";
import { Link } from "react-router";
import { AddressFields, cleanAddress, EMPTY_ADDRESS, toDraft, validateAddress, type AddressDraft } from "@/components/checkout/AddressForm";
import { PageHeader } from "@/components/PageHeader";
import { ErrorState, PageLoading } from "@/components/states";
import { Alert } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { toast } from "@/components/ui/toast";
import { api, sessionStore } from "@/lib/api";
import { errorMessage, fieldErrors, isApiError } from "@/lib/api/errors";
import type { SavedAddress, StaleAddressDetails } from "@/lib/api/models";
import { useAuth } from "@/lib/auth";
import { checkPhone } from "@/lib/countries";
import { keys, useAddressBook } from "@/lib/queries";

/** Your account: name and phone, the address book, and a way to change the password. */
export default function AccountPage() {
  return (
    <>
      <PageHeader title="Your account" description="Your details and the addresses checkout offers you." />
      <div className="grid gap-6 lg:grid-cols-[22rem_1fr]">
        <ProfileCard />
        <AddressBookCard />
      </div>
    </>
  );
}

function ProfileCard() {
  const { user } = useAuth();
  const [fullName, setFullName] = useState(user?.full_name ?? "");
  const [phone, setPhone] = useState(user?.phone ?? "");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);

  async function save(event: FormEvent) {
    event.preventDefault();
    setError(null);
    const local: Record<string, string> = {};
    if (!fullName.trim()) local.full_name = "Enter your name.";
    const phoneProblem = checkPhone(phone);
    if (phoneProblem) local.phone = phoneProblem;
    setErrors(local);
    if (Object.keys(local).length) return;
    setSaving(true);
    try {
      const fresh = await api.updateMe({ full_name: fullName.trim(), phone: phone.trim() || null });
      const current = sessionStore.get();
      if (current) sessionStore.set({ ...current, user: fresh });
      toast("Your details are saved");
    } catch (failure) {
      if (isApiError(failure) && failure.isValidation) setErrors(fieldErrors(failure));
      setError(errorMessage(failure));
    } finally {
      setSaving(false);
    }
  }

  return (
    <Card className="h-fit" data-testid="profile">
      <CardHeader>
        <CardTitle>Your details</CardTitle>
        <CardDescription>Checkout fills in your name and phone from here.</CardDescription>
      </CardHeader>
      <CardContent>
        <form onSubmit={save} noValidate className="grid gap-4" aria-label="Your details">
          <Field label="Email" hint="Your sign-in email cannot be changed here.">
            <Input name="email" type="email" value={user?.email ?? ""} readOnly aria-readonly="true" className="bg-muted" />
          </Field>
          <Field label="Full name" error={errors.full_name}>
            <Input name="full_name" autoComplete="name" value={fullName} onChange={(event) => setFullName(event.target.value)} required />
          </Field>
          <Field label="Phone (optional)" error={errors.phone}>
            <Input name="phone" type="tel" autoComplete="tel" value={phone} onChange={(event) => setPhone(event.target.value)} />
          </Field>
          {error && (
            <Alert tone="error" title="Your details were not saved">
              {error}
            </Alert>
          )}
          <Button type="submit" loading={saving} data-testid="save-profile">
            {saving ? "Saving…" : "Save details"}
          </Button>
        </form>
        <div className="mt-6 border-t pt-4">
          <Button asChild variant="outline" className="w-full">
            <Link to="/account/password" data-testid="change-password">
              <KeyRound aria-hidden="true" /> Change password
            </Link>
          </Button>
        </div>
      </CardContent>
    </Card>
  );
}

type Editing = { mode: "add" } | { mode: "edit"; address: SavedAddress } | null;

function AddressBookCard() {
  const book = useAddressBook();
  const queryClient = useQueryClient();
  const [editing, setEditing] = useState<Editing>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const addButton = useRef<HTMLButtonElement>(null);

  const refresh = () => queryClient.invalidateQueries({ queryKey: keys.addresses });

  async function makeDefault(address: SavedAddress) {
    setError(null);
    setBusy(address.id);
    try {
      await api.makeDefaultAddress(address.id);
      await refresh();
      toast(`${address.label || address.formatted[1]} is now your default address`);
    } catch (failure) {
      setError(errorMessage(failure));
    } finally {
      setBusy(null);
    }
  }

  async function remove(address: SavedAddress) {
    setError(null);
    try {
      await api.deleteAddress(address.id);
      await refresh();
      toast("Address deleted");
      requestAnimationFrame(() => addButton.current?.focus());
    } catch (failure) {
      setError(errorMessage(failure));
      throw failure;
    }
  }

  if (book.isPending) return <PageLoading label="Loading your addresses…" />;
  if (book.isError) return <ErrorState error={book.error} onRetry={() => void book.refetch()} title="We couldn't load your addresses" />;
  const { items, max_items: max } = book.data;
  const full = items.length >= max;

  return (
    <Card data-testid="address-book">
      <CardHeader>
        <CardTitle>Address book</CardTitle>
        <CardDescription>
          Checkout starts from your default address; you can pick any other there. {items.length} of {max} saved.
        </CardDescription>
      </CardHeader>
      <CardContent className="grid gap-4">
        {error && (
          <Alert tone="error" title="That didn't work" data-testid="address-book-error">
            {error}
          </Alert>
        )}
        {items.length === 0 && !editing && (
          <p className="flex items-center gap-2 text-sm text-muted-foreground" data-testid="address-book-empty">
            <MapPin className="size-4" aria-hidden="true" /> No saved addresses yet. Add one and checkout fills it in for you.
          </p>
        )}
        <ul className="grid gap-3 sm:grid-cols-2" aria-label="Saved addresses">
          {items.map((address) => (
            <li key={address.id} className="grid content-between gap-3 rounded-md border p-4 text-sm" data-testid="address-card" data-address-id={address.id}>
              <div className="grid gap-1">
                <p className="flex flex-wrap items-center gap-2 font-semibold">
                  {address.label || "Address"}
                  {address.is_default && <Badge tone="green">Default</Badge>}
                </p>
                <address className="not-italic" data-testid="address-lines">
                  {address.formatted.map((line, index) => (
                    <span key={index} className="block">
                      {line}
                    </span>
                  ))}
                </address>
                {address.phone && <p className="text-muted-foreground">Phone: {address.phone}</p>}
              </div>
              <div className="flex flex-wrap gap-2">
                <Button size="sm" variant="outline" onClick={() => setEditing({ mode: "edit", address })} data-testid="edit-address">
                  Edit
                </Button>
                {!address.is_default && (
                  <Button size="sm" variant="outline" loading={busy === address.id} onClick={() => void makeDefault(address)} data-testid="make-default">
                    Make default
                  </Button>
                )}
                <ConfirmDialog
                  trigger={
                    <Button size="sm" variant="ghost" className="text-destructive" data-testid="delete-address">
                      Delete
                    </Button>
                  }
                  title="Delete this address?"
                  description={
                    <>
                      {address.formatted.join(", ")}.{" "}
                      {address.is_default && items.length > 1 ? "Your oldest other address becomes the default. " : ""}Orders already placed keep their address.
                    </>
                  }
                  confirmLabel="Delete address"
                  destructive
                  onConfirm={() => remove(address)}
                />
              </div>
            </li>
          ))}
        </ul>
        {editing ? (
          <AddressEditor
            key={editing.mode === "edit" ? editing.address.id : "new"}
            editing={editing}
            isFirst={items.length === 0}
            onDone={async (message) => {
              setEditing(null);
              await refresh();
              if (message) toast(message);
              requestAnimationFrame(() => addButton.current?.focus());
            }}
            onCancel={() => setEditing(null)}
          />
        ) : (
          <div className="grid gap-1">
            <Button ref={addButton} variant="secondary" className="w-fit" disabled={full} onClick={() => setEditing({ mode: "add" })} data-testid="add-address">
              <Plus aria-hidden="true" /> Add an address
            </Button>
            {full && <p className="text-sm text-muted-foreground">Your address book is full ({max} addresses): delete one to add another.</p>}
          </div>
        )}
      </CardContent>
    </Card>
  );
}

function AddressEditor({
  editing,
  isFirst,
  onDone,
  onCancel,
}: {
  editing: NonNullable<Editing>;
  isFirst: boolean;
  onDone: (message: string) => Promise<void>;
  onCancel: () => void;
}) {
  const { user } = useAuth();
  const start = editing.mode === "edit" ? editing.address : null;
  const [draft, setDraft] = useState<AddressDraft>(() => (start ? toDraft(start) : { ...EMPTY_ADDRESS, full_name: user?.full_name ?? "", phone: user?.phone ?? "" }));
  const [label, setLabel] = useState(start?.label ?? "");
  const [makeDefault, setMakeDefault] = useState(false);
  const [etag, setEtag] = useState(start?.etag ?? "");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);

  async function save(event: FormEvent) {
    event.preventDefault();
    setError(null);
    const local = validateAddress(draft);
    if (label.length > 40) local.label = "Keep the label to 40 characters.";
    setErrors(local);
    if (Object.keys(local).length) {
      requestAnimationFrame(() => formRef.current?.querySelector<HTMLElement>("[aria-invalid=true]")?.focus());
      return;
    }
    const body = { ...cleanAddress(draft), ...(label.trim() ? { label: label.trim() } : {}) };
    setSaving(true);
    try {
      if (editing.mode === "edit") {
        await api.updateAddress(editing.address.id, body, etag);
        await onDone("Address saved");
      } else {
        await api.addAddress({ ...body, is_default: makeDefault });
        await onDone(isFirst || makeDefault ? "Address saved as your default" : "Address saved");
      }
    } catch (failure) {
      if (isApiError(failure) && failure.code === "stale_address") {
        // Changed in another tab or device: show what is stored now and edit on from it.
        const current = (failure.details as StaleAddressDetails).current;
        setDraft(toDraft(current));
        setLabel(current.label ?? "");
        setEtag(current.etag);
        setError("This address was changed elsewhere after you opened it, so nothing was saved. The form now shows the current version: make your change again.");
      } else {
        if (isApiError(failure) && failure.isValidation) setErrors(fieldErrors(failure));
        setError(errorMessage(failure));
      }
    } finally {
      setSaving(false);
    }
  }

  return (
    <form ref={formRef} onSubmit={save} noValidate className="grid gap-4 rounded-md border p-4" aria-label={editing.mode === "edit" ? "Edit address" : "New address"} data-testid="address-editor">
      <h3 className="font-semibold">{editing.mode === "edit" ? "Edit address" : "New address"}</h3>
      <Field label="Label (optional)" hint="For example Home or Work" error={errors.label}>
        <Input name="label" value={label} maxLength={40} onChange={(event) => setLabel(event.target.value)} />
      </Field>
      <AddressFields value={draft} onChange={setDraft} errors={errors} />
      {editing.mode === "add" && !isFirst && (
        <label className="flex items-center gap-3 text-sm">
          <input type="checkbox" name="is_default" checked={makeDefault} onChange={(event) => setMakeDefault(event.target.checked)} className="size-4 accent-green-800" />
          Make this my default address
        </label>
      )}
      {error && (
        <Alert tone="error" title="The address was not saved" data-testid="address-editor-error">
          {error}
        </Alert>
      )}
      <div className="flex flex-wrap gap-2">
        <Button type="submit" loading={saving} data-testid="save-address">
          {saving ? "Saving…" : "Save address"}
        </Button>
        <Button type="button" variant="outline" onClick={onCancel}>
          Cancel
        </Button>
      </div>
    </form>
  );
}
