import { useSyncExternalStore } from "react";

import { describe, OFFLINE } from "../lib/problems";

function subscribe(onChange: () => void) {
  window.addEventListener("online", onChange);
  window.addEventListener("offline", onChange);
  return () => {
    window.removeEventListener("online", onChange);
    window.removeEventListener("offline", onChange);
  };
}

/** Says so when the browser is offline (the shell still opens from the service worker). */
export function OfflineBanner() {
  const online = useSyncExternalStore(subscribe, () => navigator.onLine);
  if (online) return null;
  const { message, next } = describe({ type: OFFLINE });
  return (
    <p className="notice warning offline" role="status">
      <strong>{message}</strong> {next}
    </p>
  );
}
