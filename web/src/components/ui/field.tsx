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
}

/** Label + control + hint/error, wired together for assistive technology. */
export function Field({ label, error, hint, className, children }: FieldProps) {
  const generatedId = useId();
  const controlId = (children.props.id as string | undefined) ?? generatedId;
  const hintId = hint ? `${controlId}-hint` : undefined;
  const errorId = error ? `${controlId}-error` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(" ") || undefined;

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
      {hint && (
        <p id={hintId} className="text-xs text-muted-foreground">
          {hint}
        </p>
      )}
      {error && (
        <p id={errorId} className="text-sm text-destructive" data-testid="field-error">
          {error}
        </p>
      )}
    </div>
  );
}
