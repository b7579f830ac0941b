import { LayoutGrid, Search } from "lucide-react";
import { useId, useState, type InputHTMLAttributes, type KeyboardEvent } from "react";
import { useNavigate } from "react-router";
import { SUGGEST_MIN_CHARS, suggestionHref, useSuggestions, type Suggestion } from "@/lib/search";
import { cn } from "@/lib/utils";
import { Input } from "../ui/input";

export interface SearchComboboxProps extends Omit<InputHTMLAttributes<HTMLInputElement>, "value" | "onChange" | "role"> {
  value: string;
  onValueChange: (value: string) => void;
  /** A page that shows the results itself can take a picked suggestion over: true when it did. */
  onPick?: (suggestion: Suggestion) => boolean;
}

/**
 * A search box with suggestions while typing (categories and product names from the API), as an ARIA
 * combobox: the list opens as you type, Arrow Down / Arrow Up move through it (focus stays in the box),
 * Enter opens the highlighted suggestion (with none highlighted, Enter does what it did before, e.g. submits
 * the form), Escape closes it, and a click picks one. Picking goes to the suggestion (a category's listing,
 * the product) unless `onPick` takes it over. Everything else is the plain search input.
 */
export function SearchCombobox({
  value,
  onValueChange,
  onPick,
  className,
  id,
  onKeyDown,
  onFocus,
  onBlur,
  ...props
}: SearchComboboxProps) {
  const navigate = useNavigate();
  const ownId = useId();
  const listId = `${id ?? ownId}-suggestions`;
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const suggestions = useSuggestions(value, open);
  const items: Suggestion[] = value.trim().length >= SUGGEST_MIN_CHARS ? (suggestions.data?.items ?? []) : [];
  const expanded = open && items.length > 0;
  const current = expanded && active < items.length ? active : -1;
  const optionId = (index: number) => `${listId}-${index}`;

  function pick(item: Suggestion) {
    setOpen(false);
    setActive(-1);
    if (!onPick?.(item)) navigate(suggestionHref(item));
  }

  function keyDown(event: KeyboardEvent<HTMLInputElement>) {
    onKeyDown?.(event);
    if (event.defaultPrevented) return;
    if ((event.key === "ArrowDown" || event.key === "ArrowUp") && items.length > 0) {
      event.preventDefault();
      const last = items.length - 1;
      if (!expanded) {
        setOpen(true);
        setActive(event.key === "ArrowDown" ? 0 : last);
      } else if (event.key === "ArrowDown") {
        setActive(current >= last ? -1 : current + 1); // past the last: back to the text
      } else {
        setActive(current === -1 ? last : current - 1);
      }
    } else if (event.key === "Enter") {
      if (current >= 0) {
        event.preventDefault(); // not the form's submit: the suggestion is the answer
        pick(items[current]);
      } else {
        setOpen(false);
      }
    } else if (event.key === "Escape" && expanded) {
      event.preventDefault(); // close the list, keep the text
      setOpen(false);
      setActive(-1);
    }
  }

  // Not positioned itself: the list drops below the nearest positioned container (the search box's own, which
  // also holds its icon; a positioned wrapper here would paint the input over that icon).
  return (
    <div className="w-full">
      <Input
        {...props}
        id={id}
        type="search"
        role="combobox"
        autoComplete="off"
        aria-autocomplete="list"
        aria-expanded={expanded}
        aria-controls={expanded ? listId : undefined}
        aria-activedescendant={current >= 0 ? optionId(current) : undefined}
        value={value}
        className={className}
        onChange={(event) => {
          onValueChange(event.target.value);
          setOpen(true);
          setActive(-1);
        }}
        onKeyDown={keyDown}
        onFocus={(event) => {
          onFocus?.(event);
          setOpen(true);
        }}
        onBlur={(event) => {
          onBlur?.(event);
          setOpen(false);
          setActive(-1);
        }}
      />
      {expanded && (
        <ul
          id={listId}
          role="listbox"
          aria-label="Suggestions"
          data-testid="search-suggestions"
          // Keep the focus in the box while the pointer picks an option (a blur would close the list first).
          onMouseDown={(event) => event.preventDefault()}
          className="absolute inset-x-0 top-full z-50 mt-1 max-h-80 overflow-auto rounded-md border bg-background py-1 text-sm shadow-lg"
        >
          {items.map((item, index) => (
            <li
              key={`${item.kind}-${item.category ?? item.product_id ?? item.label}`}
              id={optionId(index)}
              role="option"
              aria-selected={index === current}
              data-testid="search-suggestion"
              onClick={() => pick(item)}
              onMouseMove={() => setActive(index)}
              className={cn("flex cursor-pointer items-center gap-2 px-3 py-2", index === current && "bg-muted")}
            >
              {item.kind === "category" ? (
                <LayoutGrid className="size-4 shrink-0 text-muted-foreground" aria-hidden="true" />
              ) : (
                <Search className="size-4 shrink-0 text-muted-foreground" aria-hidden="true" />
              )}
              <span className="truncate">{item.label}</span>
              {item.kind === "category" && <span className="ml-auto shrink-0 text-xs text-muted-foreground">Category</span>}
            </li>
          ))}
        </ul>
      )}
      <div aria-live="polite" className="sr-only">
        {expanded ? `${items.length} suggestion${items.length === 1 ? "" : "s"}, use the arrow keys to choose` : ""}
      </div>
    </div>
  );
}
