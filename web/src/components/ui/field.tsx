import { cloneElement, isValidElement, useId, type ReactElement, type ReactNode } from "react";
import { cn } from "@/lib/utils";
import { Label } from "./label";

interface FieldProps {
  label: ReactNode;
  /** Message shown under the control and announced with it (aria-describedby). */
  error?: string;
  hint?: ReactNode;
  className?: string;
  /** The single form control; it receives id, aria-invalid and aria-describedby. */
  children: ReactElement<Record<string, unknown>>;
  /**
   * A text limit shown as a live count ("87 / 120"). The control keeps no `maxLength`: what is typed
   * or pasted stays whole, so going over shows the count in red and the form's error instead of a cut.
   */
  count?: { length: number; max: number };
}

/** Label + control + hint/error, wired together for assistive technology. */
export function Field({ label, error, hint, className, children, count }: FieldProps) {
  const generatedId = useId();
  const controlId = (children.props.id as string | undefined) ?? generatedId;
  const hintId = hint ? `${controlId}-hint` : undefined;
  const errorId = error ? `${controlId}-error` : undefined;
  const countId = count ? `${controlId}-count` : undefined;
  const describedBy = [hintId, countId, errorId].filter(Boolean).join(" ") || undefined;
  const over = count ? count.length > count.max : false;

  return (
    <div className={cn("grid gap-1.5", className)}>
      <Label htmlFor={controlId}>{label}</Label>
      {isValidElement(children)
        ? cloneElement(children, {
            id: controlId,
            "aria-invalid": error ? true : undefined,
            "aria-describedby": describedBy,
          })
        : children}
      {(hint || count) && (
        <div className="flex items-start justify-between gap-3">
          {hint ? (
            <p id={hintId} className="text-xs text-muted-foreground">
              {hint}
            </p>
          ) : (
            <span />
          )}
          {count && (
            <p
              id={countId}
              className={cn("shrink-0 text-xs tabular-nums", over ? "font-semibold text-destructive" : "text-muted-foreground")}
              data-testid="char-count"
              data-over={over || undefined}
            >
              {count.length} / {count.max}
              {over && <span className="sr-only"> characters: {count.length - count.max} over the limit</span>}
            </p>
          )}
        </div>
      )}
      {error && (
        <p id={errorId} className="text-sm text-destructive" data-testid="field-error">
          {error}
        </p>
      )}
    </div>
  );
}
