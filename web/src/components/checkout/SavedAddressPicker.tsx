import type { SavedAddress } from "@/lib/api/models";
import { cn } from "@/lib/utils";
import { Badge } from "../ui/badge";

export const NEW_ADDRESS = "new";

interface SavedAddressPickerProps {
  addresses: SavedAddress[];
  /** The chosen saved address's id, or NEW_ADDRESS to type one. */
  value: string;
  onChange: (value: string) => void;
}

/** Radio cards: each saved address as its country writes it, and "a new address". */
export function SavedAddressPicker({ addresses, value, onChange }: SavedAddressPickerProps) {
  const option = (id: string, content: React.ReactNode, testId: string) => (
    <label
      key={id}
      className={cn(
        "flex cursor-pointer items-start gap-3 rounded-md border p-3 text-sm has-[:focus-visible]:outline-2 has-[:focus-visible]:outline-ring",
        value === id ? "border-primary bg-secondary text-secondary-foreground" : "hover:bg-muted",
      )}
      data-testid={testId}
      data-address-id={id}
    >
      <input type="radio" name="deliver-to" value={id} checked={value === id} onChange={() => onChange(id)} className="mt-1 accent-[var(--color-primary)]" />
      {content}
    </label>
  );
  return (
    <fieldset className="grid gap-2" data-testid="saved-addresses">
      <legend className="mb-1 text-sm font-semibold">Deliver to</legend>
      {addresses.map((address) =>
        option(
          address.id,
          <span className="grid gap-0.5">
            <span className="flex flex-wrap items-center gap-2 font-medium">
              {address.label || address.formatted[0]}
              {address.is_default && <Badge tone="green">Default</Badge>}
            </span>
            <span className="text-muted-foreground">{address.formatted.slice(address.label ? 0 : 1).join(", ")}</span>
          </span>,
          "saved-address",
        ),
      )}
      {option(NEW_ADDRESS, <span className="font-medium">A new address</span>, "new-address")}
    </fieldset>
  );
}
