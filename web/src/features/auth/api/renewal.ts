import type { Middleware } from "openapi-fetch";

import { api } from "../../../lib/api/client";
import { isProblem, problemKind, SIGN_IN_UNREACHABLE, type Problem } from "../../../lib/problems";
import { getSession, type Session } from "../../../lib/session";
import { REFRESH_MARGIN_MS, renewNow } from "./oidc";

/**
 * The access token renewed before the API has to refuse it, and once after it did, so a
 * traveler whose sign-in is still good never meets a 401:
 * - before a call, when the token is due by this device's clock. The refresh timer (./oidc)
 *   does not run while the device sleeps or the tab is frozen, so a laptop opened after longer
 *   than the token's lifetime (15 minutes at the sim) would send an expired one;
 * - after a plain `401 unauthorized` to a call: the provider retired the key that signed the
 *   token, or the clocks disagree. The API authenticates before it does anything else
 *   (skyfare/guard.py), so the refused call changed nothing and is sent once more, as it was,
 *   with the new token. A `401` of another kind (a sign-in too old for the act, an account
 *   deleted) is not about the token and is left to ./stepUp and ./erasure.
 * A renewal the provider refuses signs the tab out, and `SignedOutNotice` says so (./oidc). One
 * it does not answer refused nothing: the tab stays signed in (./oidc asks again in a while), and
 * the call is answered as the sign-in service being unreachable, not as "Please sign in".
 */
const UNAUTHORIZED = "unauthorized";
// The renewal reads it (./oidc, once per page): renewing before it would wait on itself.
const PROVIDER_SETTINGS = "/v1/auth/config";

// Each call as it was before it was sent (its body unread) and whose it was, to send it once
// more after a 401: only for the same traveler (a tab signed out and in again meanwhile is
// someone else's, who never asked for it).
const unsent = new WeakMap<Request, { copy: Request; subject: string }>();
// Calls whose token was due and whose renewal the provider did not answer: refused, they are not
// made to wait on a second try (./oidc asks again on its own a while later).
const unrenewed = new WeakSet<Request>();

function bearer(session: Session): string {
  return `Bearer ${session.accessToken}`;
}

function due(session: Session): boolean {
  return Date.now() >= session.expiresAt - REFRESH_MARGIN_MS;
}

export const tokenRenewal: Middleware = {
  async onRequest({ request, schemaPath }) {
    const before = getSession();
    if (!before || schemaPath === PROVIDER_SETTINGS) return undefined;
    // Without a refresh token it goes as it is: refused, it signs the tab out (onResponse).
    if (before.refreshToken && due(before) && !(await renewNow())) unrenewed.add(request);
    const session = getSession();
    if (session === before) return undefined; // lib/api/client set its token
    if (session) request.headers.set("Authorization", bearer(session));
    else request.headers.delete("Authorization"); // signed out: the call goes as anyone's
    return undefined;
  },
  async onResponse({ request, response, options }) {
    if (response.status !== 401 || !getSession()) return undefined;
    const body: unknown = await response.clone().json().catch(() => null);
    if (!isProblem(body) || problemKind(body) !== UNAUTHORIZED) return undefined;
    const sent = request.headers.get("Authorization");
    const kept = unsent.get(request);
    if (!sent || !kept) return undefined; // sent as anyone's: a sign-in is what it needs
    const current = getSession();
    if (current?.subject !== kept.subject) return undefined;
    if (unrenewed.has(request)) return providerUnreachable();
    // Renewed already by another call since this one was sent: only send it again.
    const renewed = bearer(current) !== sent || (await renewNow());
    const session = getSession();
    if (session?.subject !== kept.subject) return undefined;
    if (!renewed) return providerUnreachable(); // refused, it would have signed the tab out
    kept.copy.headers.set("Authorization", bearer(session));
    const send = options.fetch; // called as a method of `options`, a browser's fetch throws
    return send(kept.copy);
  },
};

function providerUnreachable(): Response {
  const problem: Problem = { type: SIGN_IN_UNREACHABLE, title: "The sign-in service cannot be reached", status: 503 };
  return new Response(JSON.stringify(problem), {
    status: problem.status,
    headers: { "Content-Type": "application/problem+json" },
  });
}

// After the renewal's, so the copy kept carries the token the call is sent with.
const keepUnsent: Middleware = {
  onRequest({ request }) {
    const session = getSession();
    if (session && request.headers.has("Authorization")) {
      unsent.set(request, { copy: request.clone(), subject: session.subject });
    }
    return undefined;
  },
};

api.use(tokenRenewal, keepUnsent);
