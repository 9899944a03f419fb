import type { Middleware } from "openapi-fetch";
import { useSyncExternalStore } from "react";

import { api } from "../../../lib/api/client";
import { isProblem, problemKind } from "../../../lib/problems";
import { getSession } from "../../../lib/session";
import { signOut } from "./oidc";

/**
 * The API's 401 `account-erased` (users/service.py): this tab signed in before its account was
 * deleted, in another tab or on another device, and asked for what would make the profile
 * again. Whatever screen asked, the tab is signed out as `signOut` does (tokens forgotten, the
 * refresh token revoked: its refreshes carry the same old sign-in and would be refused too),
 * and `SignedOutNotice` says why until the next sign-in.
 */
export const ACCOUNT_ERASED = "account-erased";

let reason: string | null = null;
const listeners = new Set<() => void>();

function setReason(next: string | null): void {
  if (next === reason) return;
  reason = next;
  for (const listener of listeners) listener();
}

export const erasureWatch: Middleware = {
  async onResponse({ response }) {
    if (response.status !== 401 || !getSession()) return undefined;
    const body: unknown = await response.clone().json().catch(() => null);
    if (isProblem(body) && problemKind(body) === ACCOUNT_ERASED) {
      setReason(ACCOUNT_ERASED);
      signOut();
    }
    return undefined; // the screen gets the answer as it came
  },
};
api.use(erasureWatch);

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
