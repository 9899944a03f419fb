import { useEffect, useState } from "react";

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
