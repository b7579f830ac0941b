import type { ReactNode } from "react";
import { cn } from "@/lib/utils";

/** A step's primary action: on phones it stays at the bottom of the screen while its form is in view,
 * so it never waits below the fold. */
export function StickyAction({ children, className }: { children: ReactNode; className?: string }) {
  return (
    <div
      className={cn(
        "grid gap-2 max-sm:sticky max-sm:bottom-0 max-sm:z-10 max-sm:-mx-3 max-sm:border-t max-sm:bg-background/95 max-sm:px-3 max-sm:py-3 max-sm:backdrop-blur",
        className,
      )}
      data-testid="step-action"
    >
      {children}
    </div>
  );
}
