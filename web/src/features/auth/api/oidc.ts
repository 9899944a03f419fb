import { api } from "../../../lib/api/client";
import { jwtClaims, setSession } from "../../../lib/session";
import { challengeFor, randomToken } from "./pkce";

/**
 * Sign-in with the identity provider: OIDC authorization code + PKCE for a public client
 * (README "Signing in"). Only the pending request (verifier, state, nonce, where to return)
 * crosses the redirect, in sessionStorage; the tokens stay in memory (lib/session).
 */
interface Provider {
  clientId: string;
  scope: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
}

interface Pending {
  verifier: string;
  state: string;
  nonce: string;
  returnTo: string;
}

interface TokenResponse {
  access_token: string;
  refresh_token?: string;
  id_token?: string;
  expires_in: number;
}

export class SignInFailed extends Error {}

const PENDING = "skyfare.sign-in";
// Refresh this long before the access token expires.
const REFRESH_MARGIN_MS = 60_000;
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
  const discovery = (await response.json()) as { authorization_endpoint: string; token_endpoint: string };
  return {
    clientId: data.client_id,
    scope: data.scope,
    authorizationEndpoint: discovery.authorization_endpoint,
    tokenEndpoint: discovery.token_endpoint,
  };
}

function getProvider(): Promise<Provider> {
  provider ??= loadProvider().catch((error: unknown) => {
    provider = null; // try again next time
    throw error instanceof SignInFailed ? error : new SignInFailed("The sign-in service cannot be reached.");
  });
  return provider;
}

/** Leaves for the provider's sign-in page; comes back to /auth/callback, then to `returnTo`. */
export async function beginSignIn(returnTo: string): Promise<void> {
  const { clientId, scope, authorizationEndpoint } = await getProvider();
  const pending: Pending = { verifier: randomToken(), state: randomToken(), nonce: randomToken(), returnTo };
  sessionStorage.setItem(PENDING, JSON.stringify(pending));
  const url = new URL(authorizationEndpoint);
  url.search = new URLSearchParams({
    response_type: "code",
    client_id: clientId,
    redirect_uri: redirectUri(),
    scope,
    state: pending.state,
    nonce: pending.nonce,
    code_challenge: await challengeFor(pending.verifier),
    code_challenge_method: "S256",
  }).toString();
  window.location.assign(url.toString());
}

async function tokenRequest(form: Record<string, string>): Promise<TokenResponse> {
  const { tokenEndpoint } = await getProvider();
  let response: Response;
  try {
    response = await fetch(tokenEndpoint, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(form),
    });
  } catch {
    throw new SignInFailed("The sign-in service cannot be reached.");
  }
  if (!response.ok) throw new SignInFailed("The sign-in was refused. Please sign in again.");
  return (await response.json()) as TokenResponse;
}

function keep(tokens: TokenResponse): void {
  const claims = jwtClaims(tokens.access_token);
  const email = typeof claims.email === "string" ? claims.email : null;
  const given = typeof claims.given_name === "string" ? claims.given_name : null;
  const family = typeof claims.family_name === "string" ? claims.family_name : null;
  setSession({
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
    const refreshToken = tokens.refresh_token;
    const delay = Math.max(tokens.expires_in * 1000 - REFRESH_MARGIN_MS, 5_000);
    refreshTimer = setTimeout(() => void refreshSilently(refreshToken), delay);
  }
}

/** New tokens with the refresh token (rotated); on refusal the traveler is signed out. */
export async function refreshSilently(refreshToken: string): Promise<void> {
  const { clientId } = await getProvider();
  try {
    keep(await tokenRequest({ grant_type: "refresh_token", refresh_token: refreshToken, client_id: clientId }));
  } catch {
    signOut();
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
  if (tokens.id_token && jwtClaims(tokens.id_token).nonce !== pending.nonce) {
    throw new SignInFailed("The sign-in answer was not for this request. Please sign in again.");
  }
  keep(tokens);
  return pending.returnTo.startsWith("/") ? pending.returnTo : "/";
}

export function signOut(): void {
  clearTimeout(refreshTimer);
  setSession(null);
}
