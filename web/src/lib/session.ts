import { useSyncExternalStore } from "react";

/**
 * The signed-in traveler's tokens, in memory only: never localStorage or a cookie, so a script
 * injected later cannot read them from storage, and closing the tab signs out. A reload asks to
 * sign in again (the identity provider remembers nothing here either).
 */
export interface Session {
  subject: string; // the verified ID token's `sub`: the key of this traveler's cached answers
  accessToken: string;
  refreshToken: string | null;
  expiresAt: number; // ms since the epoch
  name: string; // given name, else email, for the header
  givenName: string | null;
  familyName: string | null;
  email: string | null;
}

let current: Session | null = null;
const listeners = new Set<() => void>();

export function getSession(): Session | null {
  return current;
}

export function setSession(session: Session | null): void {
  current = session;
  for (const listener of listeners) listener();
}

/** Calls `listener` after every change of the session (a sign-in, a refresh, a sign-out);
 * returns what stops it. */
export function watchSession(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function useSession(): Session | null {
  return useSyncExternalStore(watchSession, getSession);
}
