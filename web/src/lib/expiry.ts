import { useEffect, useState } from "react";

/** `2026-12-03T22:45:10Z` → `22:45` in the traveler's own clock (quotes and offers live minutes). */
export const clock = (stamp: string) => new Date(stamp).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });

/** True once `expiresAt` has passed, re-rendering when it does. */
export function useExpired(expiresAt: string | undefined): boolean {
  const [now, setNow] = useState(() => Date.now());
  const at = expiresAt ? Date.parse(expiresAt) : Number.POSITIVE_INFINITY;
  useEffect(() => {
    if (!Number.isFinite(at) || at <= Date.now()) return;
    const timer = window.setTimeout(() => setNow(Date.now()), at - Date.now() + 50);
    return () => window.clearTimeout(timer);
  }, [at]);
  return now >= at;
}
