import { useEffect, useRef } from "react";
import { formatClock, formatTimeLeft, msUntil, useNow } from "@/lib/time";
import { cn } from "@/lib/utils";

/** A live countdown to `expiresAt` ("14 min left"); calls `onExpire` once when it runs out. */
export function TimeLeft({ expiresAt, onExpire, className }: { expiresAt: string; onExpire?: () => void; className?: string }) {
  const now = useNow(1000);
  const left = msUntil(expiresAt, now);
  const fired = useRef(false);
  useEffect(() => {
    if (left <= 0 && !fired.current) {
      fired.current = true;
      onExpire?.();
    }
  }, [left, onExpire]);
  return (
    <time
      dateTime={expiresAt}
      title={`Until ${formatClock(expiresAt)}`}
      className={cn("tabular-nums", left > 0 && left < 5 * 60_000 && "font-semibold text-amber-800", className)}
      data-testid="time-left"
    >
      {formatTimeLeft(left)}
    </time>
  );
}
