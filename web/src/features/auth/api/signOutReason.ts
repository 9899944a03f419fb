import { useSyncExternalStore } from "react";

/**
 * Why this tab was signed out when the traveler did not ask: a problem kind (lib/problems) that
 * `SignedOutNotice` words until the next sign-in. `account-erased`: the account was deleted
 * elsewhere (./erasure); `sign-in-ended`: the provider would not renew the sign-in (./renewal).
 */
let reason: string | null = null;
const listeners = new Set<() => void>();

function setReason(next: string | null): void {
  if (next === reason) return;
  reason = next;
  for (const listener of listeners) listener();
}

/** Said before signing out for `kind`. */
export function signedOutBecause(kind: string): void {
  setReason(kind);
}

/** Why this tab was signed out without the traveler asking (a problem kind), else null. */
export function useSignOutReason(): string | null {
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => reason,
  );
}

/** Said: a new sign-in (or the traveler) closed the notice. */
export function forgetSignOutReason(): void {
  setReason(null);
}
