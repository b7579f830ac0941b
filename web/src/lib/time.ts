import { useEffect, useState } from "react";

/** How long until `expiresAt`, for people: "45 s left", "14 min left", "1 h 5 min left", "expired". */
export function formatTimeLeft(ms: number): string {
  if (!(ms > 0)) return "expired";
  if (ms < 60_000) return `${Math.ceil(ms / 1000)} s left`;
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 60) return `${minutes} min left`;
  const hours = Math.floor(minutes / 60);
  return minutes % 60 ? `${hours} h ${minutes % 60} min left` : `${hours} h left`;
}

export function msUntil(iso: string | null | undefined, now: number = Date.now()): number {
  if (!iso) return 0;
  const at = new Date(iso).getTime();
  return Number.isNaN(at) ? 0 : at - now;
}

/** The current time, re-read every `intervalMs` (for countdowns). */
export function useNow(intervalMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}

export function formatClock(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(undefined, { timeStyle: "short" }).format(date);
}
