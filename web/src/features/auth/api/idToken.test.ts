import { beforeAll, describe, expect, it } from "vitest";

import { CLOCK_SKEW_S, type Expected, IdTokenRejected, type JsonWebKeySet, verifyIdToken } from "./idToken";
import { base64url } from "./pkce";

/** Real keys made here with WebCrypto, and tokens signed with them as a provider signs. */
const ISSUER = "http://127.0.0.1:9/identity";
const CLIENT = "skyfare-web";
const NOW = 1_800_000_000;
const EXPECTED: Expected = { issuer: ISSUER, clientId: CLIENT, nonce: "n-0S6_WzA2Mj", now: NOW };

const ES256 = { name: "ECDSA", namedCurve: "P-256" } as const;
const RS256 = { name: "RSASSA-PKCS1-v1_5", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" } as const;

interface Signer {
  kid: string;
  alg: string;
  keys: CryptoKeyPair;
}

let ec: Signer;
let rsa: Signer;
let stranger: Signer; // another P-256 key, never published
let jwks: JsonWebKeySet;

const text = (value: unknown) => base64url(new TextEncoder().encode(JSON.stringify(value)));

async function publicJwk({ kid, alg, keys }: Signer) {
  return { ...(await crypto.subtle.exportKey("jwk", keys.publicKey)), kid, alg, use: "sig" };
}

function claims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    iss: ISSUER,
    sub: "usr_ada",
    aud: CLIENT,
    azp: CLIENT,
    iat: NOW - 5,
    exp: NOW + 300,
    nonce: EXPECTED.nonce,
    given_name: "Ada",
    ...overrides,
  };
}

async function sign(signer: Signer, payload: Record<string, unknown>, header: Record<string, unknown> = {}) {
  const signed = `${text({ alg: signer.alg, kid: signer.kid, typ: "JWT", ...header })}.${text(payload)}`;
  const algorithm = signer.alg === "ES256" ? { name: "ECDSA", hash: "SHA-256" } : { name: "RSASSA-PKCS1-v1_5" };
  const signature = await crypto.subtle.sign(algorithm, signer.keys.privateKey, new TextEncoder().encode(signed));
  return `${signed}.${base64url(new Uint8Array(signature))}`;
}

async function refusal(token: string, expected: Expected = EXPECTED, set: JsonWebKeySet = jwks): Promise<string> {
  try {
    await verifyIdToken(token, set, expected);
  } catch (error) {
    if (error instanceof IdTokenRejected) return error.message;
    throw error;
  }
  throw new Error("the token was accepted");
}

beforeAll(async () => {
  ec = { kid: "sim-1-1", alg: "ES256", keys: await crypto.subtle.generateKey(ES256, true, ["sign", "verify"]) };
  rsa = { kid: "rsa-1", alg: "RS256", keys: await crypto.subtle.generateKey(RS256, true, ["sign", "verify"]) };
  stranger = { kid: "sim-1-1", alg: "ES256", keys: await crypto.subtle.generateKey(ES256, true, ["sign", "verify"]) };
  jwks = { keys: [await publicJwk(ec), await publicJwk(rsa)] };
});

describe("verifyIdToken", () => {
  it("returns the claims of a token signed with a published key (ES256 and RS256)", async () => {
    await expect(verifyIdToken(await sign(ec, claims()), jwks, EXPECTED)).resolves.toMatchObject({
      sub: "usr_ada",
      given_name: "Ada",
    });
    await expect(verifyIdToken(await sign(rsa, claims()), jwks, EXPECTED)).resolves.toMatchObject({ sub: "usr_ada" });
  });

  it("refuses a token whose claims were changed after signing", async () => {
    const [header, , signature] = (await sign(ec, claims())).split(".");
    const forged = `${header}.${text(claims({ sub: "usr_mallory" }))}.${signature}`;
    expect(await refusal(forged)).toBe("its signature does not match");
  });

  it("refuses a token signed by a key the provider did not publish, even under a published kid", async () => {
    expect(await refusal(await sign(stranger, claims()))).toBe("its signature does not match");
    expect(await refusal(await sign(ec, claims(), { kid: "retired" }))).toBe(
      "it is signed with a key the provider does not publish",
    );
  });

  it("refuses an unsigned token and an HMAC one (a public client holds no secret)", async () => {
    const unsigned = `${text({ alg: "none", typ: "JWT" })}.${text(claims())}.`;
    expect(await refusal(unsigned)).toBe("it is signed with none, which we do not accept");
    const hmac = (await sign(ec, claims(), { alg: "HS256" })).split(".");
    expect(await refusal(hmac.join("."))).toBe("it is signed with HS256, which we do not accept");
  });

  it("refuses a token that is not a JWS", async () => {
    expect(await refusal("not-a-token")).toBe("it is not a signed token");
    expect(await refusal("e30.%%%.e30")).toBe("its payload is not readable");
  });

  it("refuses another issuer's token and one issued to another application", async () => {
    expect(await refusal(await sign(ec, claims({ iss: "http://evil.example" })))).toBe("it was issued by another provider");
    expect(await refusal(await sign(ec, claims({ aud: "other-app", azp: "other-app" })))).toBe(
      "it was issued to another application",
    );
    // Several audiences: ours must be among them and the authorized party must be us.
    const shared = claims({ aud: [CLIENT, "other-app"], azp: "other-app" });
    expect(await refusal(await sign(ec, shared))).toBe("it was issued to another application");
    await expect(verifyIdToken(await sign(ec, claims({ aud: [CLIENT, "api"] })), jwks, EXPECTED)).resolves.toBeTruthy();
  });

  it("refuses an expired token, tolerating the clock skew and no more", async () => {
    const barely = claims({ exp: NOW - CLOCK_SKEW_S + 1 });
    await expect(verifyIdToken(await sign(ec, barely), jwks, EXPECTED)).resolves.toBeTruthy();
    expect(await refusal(await sign(ec, claims({ exp: NOW - CLOCK_SKEW_S })))).toBe("it has expired");
    expect(await refusal(await sign(ec, claims({ exp: undefined })))).toBe("it has expired");
    expect(await refusal(await sign(ec, claims({ iat: NOW + CLOCK_SKEW_S + 1 })))).toBe("it was issued in the future");
  });

  it("refuses a token answering another sign-in (nonce), and needs none on a refresh", async () => {
    expect(await refusal(await sign(ec, claims({ nonce: "someone-else" })))).toBe("it answers another sign-in");
    expect(await refusal(await sign(ec, claims({ nonce: undefined })))).toBe("it answers another sign-in");
    const refreshed = await sign(ec, claims({ nonce: undefined }));
    await expect(verifyIdToken(refreshed, jwks, { ...EXPECTED, nonce: null })).resolves.toBeTruthy();
  });

  it("refuses a token naming no one", async () => {
    expect(await refusal(await sign(ec, claims({ sub: "" })))).toBe("it names no one");
  });
});
