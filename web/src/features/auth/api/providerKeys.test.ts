import { describe, expect, it } from "vitest";

import type { JsonWebKeySet } from "./idToken";
import { base64url } from "./pkce";
import { ProviderKeys } from "./providerKeys";

const text = (value: unknown) => base64url(new TextEncoder().encode(JSON.stringify(value)));
const tokenOf = (kid: string) => `${text({ alg: "ES256", kid })}.${text({ sub: "usr_ada" })}.c2ln`;
const key = (kid: string) => ({ kty: "EC", crv: "P-256", x: "x", y: "y", kid, use: "sig" });

/** A provider whose published set is `current` at each fetch; counts the fetches. */
function provider(current: { keys: ReturnType<typeof key>[] }) {
  const fetched = { count: 0 };
  const keys = new ProviderKeys(() => {
    fetched.count += 1;
    return Promise.resolve<JsonWebKeySet>({ keys: [...current.keys] });
  });
  return { keys, fetched };
}

describe("ProviderKeys", () => {
  it("fetches the set once for tokens signed with a key it holds", async () => {
    const { keys, fetched } = provider({ keys: [key("k1")] });
    await keys.for(tokenOf("k1"));
    const set = await keys.for(tokenOf("k1"));
    expect(fetched.count).toBe(1);
    expect(set.keys.map((k) => k.kid)).toEqual(["k1"]);
  });

  it("fetches it again when a token names a key published since (rotation)", async () => {
    const published = { keys: [key("k1")] };
    const { keys, fetched } = provider(published);
    await keys.for(tokenOf("k1"));
    published.keys = [key("k1"), key("k2")];
    const set = await keys.for(tokenOf("k2"));
    expect(fetched.count).toBe(2);
    expect(set.keys.map((k) => k.kid)).toEqual(["k1", "k2"]);
  });

  it("keeps an empty set from a provider answering without keys", async () => {
    const keys = new ProviderKeys(() => Promise.resolve({} as JsonWebKeySet));
    expect(await keys.for(tokenOf("k1"))).toEqual({ keys: [] });
  });
});
