import { api } from "../../../lib/api/client";
import { SIGN_IN_ENDED } from "../../../lib/problems";
import { forgetSearchDraft } from "../../../lib/searchDraft";
import { getSession, setSession } from "../../../lib/session";
import { CLOCK_SKEW_S, type IdClaims, IdTokenRejected, type JsonWebKeySet, verifyIdToken } from "./idToken";
import { challengeFor, randomToken } from "./pkce";
import { ProviderKeys } from "./providerKeys";
import { returnPath } from "./returnTo";
import { revokeRefreshToken } from "./revocation";
import { signedOutBecause } from "./signOutReason";
import { forgetEveryResume, signedInWithin } from "./stepUp";

/**
 * Sign-in with the identity provider: OIDC authorization code + PKCE for a public client
 * (README "Signing in"). Only the pending request (verifier, state, nonce, where to return)
 * crosses the redirect, in sessionStorage; the tokens stay in memory (lib/session). Who signed
 * in is read from the ID token only once it is verified (./idToken.ts) against the provider's
 * JWKS; the access token is the API's to verify and is never read for that.
 */
interface Provider {
  issuer: string;
  clientId: string;
  scope: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  jwksUri: string;
  /** RFC 7009, where the provider has one (RFC 8414 `revocation_endpoint`). */
  revocationEndpoint: string | null;
}

interface Pending {
  verifier: string;
  state: string;
  nonce: string;
  returnTo: string;
  maxAge?: number; // a fresh sign-in was asked for (step-up): its `auth_time` is checked
}

/** A sign-in again, for an act the API wants a recent one for (./stepUp.ts). */
export interface FreshSignIn {
  maxAge: number; // seconds: OIDC `max_age` (0: now), sent with `prompt=login`
  loginHint?: string | null; // the traveler's email, filled in on the sign-in page
}

interface TokenResponse {
  access_token: string;
  refresh_token?: string;
  id_token?: string;
  expires_in: number;
}

export class SignInFailed extends Error {}
/** No answer from the provider (offline, or it is down): nothing was refused. */
class ProviderUnreachable extends SignInFailed {}

const PENDING = "skyfare.sign-in";
// Refresh this long before the access token expires (by this device's clock).
export const REFRESH_MARGIN_MS = 60_000;
// Ask an unreachable provider again after this long.
const RETRY_UNREACHABLE_MS = 15_000;
// A token request unanswered this long is given up as unreachable. One that takes the connection
// and never answers would otherwise hold every call waiting on a renewal (./renewal) for as long
// as the browser waits, which has no limit of its own.
export const TOKEN_REQUEST_TIMEOUT_MS = 20_000;
let provider: Promise<Provider> | null = null;
let refreshTimer: ReturnType<typeof setTimeout> | undefined;

function redirectUri(): string {
  return `${window.location.origin}/auth/callback`;
}

async function loadProvider(): Promise<Provider> {
  const { data, error } = await api.GET("/v1/auth/config");
  if (error || !data) throw new SignInFailed("The sign-in service is not configured.");
  const response = await fetch(`${data.issuer}/.well-known/openid-configuration`);
  if (!response.ok) throw new SignInFailed("The sign-in service cannot be reached.");
  const discovery = (await response.json()) as {
    issuer: string;
    authorization_endpoint: string;
    token_endpoint: string;
    jwks_uri: string;
    revocation_endpoint?: string;
  };
  // OpenID Connect Discovery §4.3: the document must name the issuer it was fetched from.
  if (discovery.issuer !== data.issuer) throw new SignInFailed("The sign-in service is not the one configured.");
  return {
    issuer: data.issuer,
    clientId: data.client_id,
    scope: data.scope,
    authorizationEndpoint: discovery.authorization_endpoint,
    tokenEndpoint: discovery.token_endpoint,
    jwksUri: discovery.jwks_uri,
    revocationEndpoint: discovery.revocation_endpoint ?? null,
  };
}

async function fetchJwks(jwksUri: string): Promise<JsonWebKeySet> {
  let response: Response;
  try {
    // Asked of the provider, never answered from the browser's cache: the set is fetched again
    // when a token names a key it lacks (a rotation), and a copy cached before the rotation
    // (the sim says max-age=300; real providers say hours) would refuse the new key's tokens.
    response = await fetch(jwksUri, { cache: "no-cache" });
  } catch {
    throw new SignInFailed("The sign-in service's keys cannot be reached. Please try again.");
  }
  if (!response.ok) throw new SignInFailed("The sign-in service's keys cannot be reached. Please try again.");
  return (await response.json()) as JsonWebKeySet;
}

const providerKeys = new ProviderKeys(async () => fetchJwks((await getProvider()).jwksUri));

/** The ID token's claims once verified (signature, issuer, audience, expiry, nonce). */
async function verified(idToken: string | undefined, nonce: string | null): Promise<IdClaims> {
  if (!idToken) throw new SignInFailed("The sign-in answer did not say who signed in. Please sign in again.");
  const { issuer, clientId } = await getProvider();
  try {
    return await verifyIdToken(idToken, await providerKeys.for(idToken), {
      issuer,
      clientId,
      nonce,
      now: Math.floor(Date.now() / 1000),
    });
  } catch (error) {
    if (error instanceof IdTokenRejected) {
      throw new SignInFailed(`The sign-in answer could not be verified: ${error.message}. Please sign in again.`);
    }
    throw error;
  }
}

function getProvider(): Promise<Provider> {
  provider ??= loadProvider().catch((error: unknown) => {
    provider = null; // try again next time
    throw error instanceof SignInFailed ? error : new SignInFailed("The sign-in service cannot be reached.");
  });
  return provider;
}

/**
 * Leaves for the provider's sign-in page; comes back to /auth/callback, then to `returnTo`.
 * `fresh` asks the provider for a sign-in made now, whatever session it keeps (OIDC Core
 * §3.1.2.1 `max_age` and `prompt=login`).
 */
export async function beginSignIn(returnTo: string, fresh?: FreshSignIn): Promise<void> {
  const { clientId, scope, authorizationEndpoint, revocationEndpoint } = await getProvider();
  const pending: Pending = { verifier: randomToken(), state: randomToken(), nonce: randomToken(), returnTo };
  if (fresh) pending.maxAge = fresh.maxAge;
  sessionStorage.setItem(PENDING, JSON.stringify(pending));
  const url = new URL(authorizationEndpoint);
  const params = new URLSearchParams({
    response_type: "code",
    client_id: clientId,
    redirect_uri: redirectUri(),
    scope,
    state: pending.state,
    nonce: pending.nonce,
    code_challenge: await challengeFor(pending.verifier),
    code_challenge_method: "S256",
  });
  if (fresh) {
    params.set("max_age", String(fresh.maxAge));
    params.set("prompt", "login");
    if (fresh.loginHint) params.set("login_hint", fresh.loginHint);
  }
  url.search = params.toString();
  // Leaving the page drops the tokens held in memory: a sign-in again (step-up) ends the one it
  // replaces at the provider too, rather than leave its refresh token alive for 30 days.
  // Sent before leaving (keepalive carries it through the navigation).
  const replaced = getSession()?.refreshToken;
  if (replaced && revocationEndpoint) void revokeRefreshToken(revocationEndpoint, clientId, replaced);
  // A page kept in the back/forward cache comes back as it was left: signed out (its refresh
  // token is revoked) and with no one's data, once hidden so the traveler sees no blink. What
  // waits to be offered again (./stepUp.ts) stays: the same traveler is signing in again.
  if (getSession()) window.addEventListener("pagehide", forgetTokens, { once: true });
  window.location.assign(url.toString());
}

async function tokenRequest(form: Record<string, string>): Promise<TokenResponse> {
  const { tokenEndpoint } = await getProvider();
  // A timer of the page's own (not AbortSignal.timeout): the tests' clock drives it.
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(), TOKEN_REQUEST_TIMEOUT_MS);
  try {
    let response: Response;
    try {
      response = await fetch(tokenEndpoint, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams(form),
        signal: deadline.signal,
      });
    } catch {
      throw new ProviderUnreachable("The sign-in service cannot be reached.");
    }
    // A provider failing (5xx) has refused nothing either.
    if (response.status >= 500) throw new ProviderUnreachable("The sign-in service is not answering.");
    if (!response.ok) throw new SignInFailed("The sign-in was refused. Please sign in again.");
    try {
      return (await response.json()) as TokenResponse;
    } catch {
      throw new ProviderUnreachable("The sign-in service's answer was cut short.");
    }
  } finally {
    clearTimeout(timer);
  }
}

/** Who signed in: the verified ID token's claims shown and keyed on. */
type Identity = Pick<IdClaims, "sub"> & { email?: unknown; given_name?: unknown; family_name?: unknown };

function keep(tokens: TokenResponse, claims: Identity): void {
  const email = typeof claims.email === "string" ? claims.email : null;
  const given = typeof claims.given_name === "string" ? claims.given_name : null;
  const family = typeof claims.family_name === "string" ? claims.family_name : null;
  setSession({
    subject: claims.sub,
    accessToken: tokens.access_token,
    refreshToken: tokens.refresh_token ?? null,
    expiresAt: Date.now() + tokens.expires_in * 1000,
    name: given ?? email ?? "Traveler",
    givenName: given,
    familyName: family,
    email,
  });
  clearTimeout(refreshTimer);
  if (tokens.refresh_token) {
    const delay = Math.max(tokens.expires_in * 1000 - REFRESH_MARGIN_MS, 5_000);
    refreshTimer = setTimeout(() => void renewNow(), delay);
  }
}

let renewal: Promise<boolean> | null = null;

/**
 * New tokens for the signed-in traveler now, with the refresh token (the provider rotates it);
 * true once they are kept. One refresh at a time: the timer and the calls that find the token
 * due (./renewal) share it, since a rotated refresh token sent twice is a reuse the provider
 * may answer by revoking the whole sign-in. Refused (or not possible: no refresh token), the
 * tab is signed out and `SignedOutNotice` says the sign-in ended. A provider that does not
 * answer refused nothing: the session stays, and the timer asks again in a while.
 */
export function renewNow(): Promise<boolean> {
  renewal ??= renew().finally(() => {
    renewal = null;
  });
  return renewal;
}

async function renew(): Promise<boolean> {
  const session = getSession();
  if (!session) return false;
  try {
    if (!session.refreshToken) throw new SignInFailed("This sign-in cannot be renewed.");
    const { clientId } = await getProvider();
    const tokens = await tokenRequest({
      grant_type: "refresh_token",
      refresh_token: session.refreshToken,
      client_id: clientId,
    });
    if (getSession() !== session) return getSession() !== null; // signed out or in meanwhile
    // A provider may send no new ID token on a refresh: the verified one of the sign-in stands.
    // One it sends carries no nonce (OIDC Core §12.2) and must name the same traveler.
    const claims = tokens.id_token ? await verified(tokens.id_token, null) : null;
    if (claims && claims.sub !== session.subject) throw new SignInFailed("The refreshed sign-in is someone else's.");
    // RFC 6749 §6: a provider that does not rotate it sends none, and the one we hold stands.
    const kept = { ...tokens, refresh_token: tokens.refresh_token ?? session.refreshToken };
    keep(kept, claims ?? { sub: session.subject, email: session.email, given_name: session.givenName, family_name: session.familyName });
    return true;
  } catch (error) {
    if (getSession() !== session) return getSession() !== null;
    if (error instanceof ProviderUnreachable) {
      clearTimeout(refreshTimer);
      refreshTimer = setTimeout(() => void renewNow(), RETRY_UNREACHABLE_MS);
      return false;
    }
    signedOutBecause(SIGN_IN_ENDED);
    signOut();
    return false;
  }
}

const completions = new Map<string, Promise<string>>();

/** Exchanges the code the provider sent back; returns where to go next. Once per code. */
export function completeSignIn(params: URLSearchParams): Promise<string> {
  const code = params.get("code") ?? "";
  let completion = completions.get(code);
  if (!completion) {
    completion = exchange(params);
    completions.set(code, completion);
  }
  return completion;
}

async function exchange(params: URLSearchParams): Promise<string> {
  const raw = sessionStorage.getItem(PENDING);
  sessionStorage.removeItem(PENDING);
  const pending = raw ? (JSON.parse(raw) as Pending) : null;
  if (params.get("error")) throw new SignInFailed("The sign-in did not complete. Please try again.");
  const code = params.get("code");
  if (!pending || !code || params.get("state") !== pending.state) {
    throw new SignInFailed("This sign-in link is not the one we started. Please sign in again.");
  }
  const { clientId } = await getProvider();
  const tokens = await tokenRequest({
    grant_type: "authorization_code",
    code,
    redirect_uri: redirectUri(),
    client_id: clientId,
    code_verifier: pending.verifier,
  });
  const claims = await verified(tokens.id_token, pending.nonce);
  // Asked for a fresh sign-in: an old one would only be refused again by the API.
  const now = Math.floor(Date.now() / 1000);
  if (pending.maxAge !== undefined && !signedInWithin(claims, pending.maxAge, now, CLOCK_SKEW_S)) {
    throw new SignInFailed("The sign-in service did not ask for your password again. Please try again.");
  }
  keep(tokens, claims);
  return returnPath(pending.returnTo);
}

/**
 * Signed out at once here; the refresh token is revoked at the provider after (./revocation).
 * The tab forgets the traveler's data with the tokens (lib/personalQueries: the cached answers;
 * here what waited in sessionStorage to be offered again after a sign-in, and the search being
 * typed, which may hold the profile's home airport).
 */
export function signOut(): void {
  const refreshToken = getSession()?.refreshToken ?? null;
  forgetTokens();
  forgetEveryResume();
  forgetSearchDraft();
  if (refreshToken) void revokeAtProvider(refreshToken);
}

function forgetTokens(): void {
  clearTimeout(refreshTimer);
  setSession(null);
}

async function revokeAtProvider(refreshToken: string): Promise<void> {
  try {
    const { revocationEndpoint, clientId } = await getProvider();
    if (revocationEndpoint) await revokeRefreshToken(revocationEndpoint, clientId, refreshToken);
  } catch {
    // The provider's settings cannot be read: the token expires on its own.
  }
}
