import { useSyncExternalStore } from "react";

/**
 * The signed-in traveler's tokens, in memory only: never localStorage or a cookie, so a script
 * injected later cannot read them from storage, and closing the tab signs out. A reload asks to
 * sign in again (the identity provider remembers nothing here either).
 */
export interface Session {
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

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function useSession(): Session | null {
  return useSyncExternalStore(subscribe, getSession);
}

/** The payload of a JWT, unverified: for display and the nonce check only (the API verifies). */
export function jwtClaims(token: string): Record<string, unknown> {
  const part = token.split(".")[1] ?? "";
  const base64 = part.replace(/-/g, "+").replace(/_/g, "/");
  try {
    const json = new TextDecoder().decode(Uint8Array.from(atob(base64), (c) => c.charCodeAt(0)));
    const claims: unknown = JSON.parse(json);
    return typeof claims === "object" && claims !== null ? (claims as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
