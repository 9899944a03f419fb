/**
 * The ID token's checks (OIDC Core §3.1.3.7) with WebCrypto, before any of its claims is used:
 * the signature against a key of the provider's JWKS (by `kid`), the algorithm one we expect
 * (never `none`, never an HMAC: a public client holds no secret), the issuer, the audience (and
 * `azp` when there are several), the expiry and issue time, and the nonce of our request.
 */
import { base64urlDecode } from "./pkce";

export interface JsonWebKeySet {
  keys: (JsonWebKey & { kid?: string })[];
}

export interface Expected {
  issuer: string;
  clientId: string;
  /** The nonce of the authorization request; null on a refresh (OIDC Core §12.2: none there). */
  nonce: string | null;
  /** Seconds since the epoch; the clock the expiry is read against. */
  now: number;
}

export interface IdClaims {
  iss: string;
  sub: string;
  aud: string | string[];
  exp: number;
  iat: number;
  nonce?: string;
  email?: string;
  given_name?: string;
  family_name?: string;
  [claim: string]: unknown;
}

/** Why a token was refused: said in the sign-in's failure message, never trusted further. */
export class IdTokenRejected extends Error {}

// Clocks of a phone and of the provider disagree a little; a minute either way is tolerated.
export const CLOCK_SKEW_S = 60;

type Verification = { importAs: EcKeyImportParams | RsaHashedImportParams; verifyAs: AlgorithmIdentifier | EcdsaParams };

// The asymmetric algorithms a provider signs ID tokens with; ES256 is the sim's.
const ALGORITHMS: Record<string, Verification> = {
  ES256: { importAs: { name: "ECDSA", namedCurve: "P-256" }, verifyAs: { name: "ECDSA", hash: "SHA-256" } },
  ES384: { importAs: { name: "ECDSA", namedCurve: "P-384" }, verifyAs: { name: "ECDSA", hash: "SHA-384" } },
  RS256: { importAs: { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, verifyAs: { name: "RSASSA-PKCS1-v1_5" } },
};

function decodeJson(part: string, what: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(new TextDecoder().decode(base64urlDecode(part)));
    if (typeof value === "object" && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // falls through to the refusal below
  }
  throw new IdTokenRejected(`its ${what} is not readable`);
}

interface Parts {
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
  signed: Uint8Array<ArrayBuffer>;
  signature: Uint8Array<ArrayBuffer>;
}

function split(token: string): Parts {
  const parts = token.split(".");
  if (parts.length !== 3) throw new IdTokenRejected("it is not a signed token");
  const [header, payload, signature] = parts as [string, string, string];
  return {
    header: decodeJson(header, "header"),
    claims: decodeJson(payload, "payload"),
    signed: new TextEncoder().encode(`${header}.${payload}`),
    signature: base64urlDecode(signature),
  };
}

/** The key of `jwks` the header names; `undefined` when the set has none such (rotated). */
export function keyFor(jwks: JsonWebKeySet, header: Record<string, unknown>): JsonWebKey | undefined {
  const kid = typeof header.kid === "string" ? header.kid : undefined;
  const alg = header.alg;
  const kty = typeof alg === "string" && alg.startsWith("RS") ? "RSA" : "EC";
  return jwks.keys.find(
    (key) => key.kty === kty && (kid === undefined || key.kid === kid) && (key.use ?? "sig") === "sig",
  );
}

async function checkSignature(parts: Parts, jwks: JsonWebKeySet): Promise<void> {
  const alg = parts.header.alg;
  const algorithm = typeof alg === "string" ? ALGORITHMS[alg] : undefined;
  if (!algorithm) throw new IdTokenRejected(`it is signed with ${String(alg)}, which we do not accept`);
  const jwk = keyFor(jwks, parts.header);
  if (!jwk) throw new IdTokenRejected("it is signed with a key the provider does not publish");
  let key: CryptoKey;
  try {
    // The JWK's own `alg`/`key_ops` stay out: WebCrypto checks them against ours and the
    // provider may omit them; the algorithm is the header's, checked against our table above.
    const { kty, crv, x, y, n, e } = jwk;
    key = await crypto.subtle.importKey("jwk", { kty, crv, x, y, n, e }, algorithm.importAs, false, ["verify"]);
  } catch {
    throw new IdTokenRejected("the provider's key is not usable");
  }
  const valid = await crypto.subtle.verify(algorithm.verifyAs, key, parts.signature, parts.signed);
  if (!valid) throw new IdTokenRejected("its signature does not match");
}

function checkClaims(claims: Record<string, unknown>, expected: Expected): IdClaims {
  const { iss, sub, aud, azp, exp, iat, nonce } = claims;
  if (iss !== expected.issuer) throw new IdTokenRejected("it was issued by another provider");
  if (typeof sub !== "string" || sub === "") throw new IdTokenRejected("it names no one");
  const audiences = Array.isArray(aud) ? aud : [aud];
  if (!audiences.includes(expected.clientId)) throw new IdTokenRejected("it was issued to another application");
  if (audiences.length > 1 && azp !== expected.clientId) throw new IdTokenRejected("it was issued to another application");
  if (typeof exp !== "number" || exp + CLOCK_SKEW_S <= expected.now) throw new IdTokenRejected("it has expired");
  if (typeof iat !== "number" || iat - CLOCK_SKEW_S > expected.now) throw new IdTokenRejected("it was issued in the future");
  if (expected.nonce !== null && nonce !== expected.nonce) throw new IdTokenRejected("it answers another sign-in");
  return claims as IdClaims;
}

/** The token's claims once every check has passed; `IdTokenRejected` saying why otherwise. */
export async function verifyIdToken(token: string, jwks: JsonWebKeySet, expected: Expected): Promise<IdClaims> {
  const parts = split(token);
  await checkSignature(parts, jwks);
  return checkClaims(parts.claims, expected);
}

/** The header's key id, to tell a rotated key (fetch the JWKS again) from an unknown one. */
export function headerOf(token: string): Record<string, unknown> {
  return split(token).header;
}
