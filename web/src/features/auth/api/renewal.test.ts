// @vitest-environment jsdom
import { cleanup, render, screen } from "@testing-library/react";
import { createElement } from "react";
import { MemoryRouter } from "react-router";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { describe as explain, isProblem, type Problem, problemKind } from "../../../lib/problems";
import { getSession, setSession } from "../../../lib/session";
import { signInForTest } from "../../../lib/testSession";

// The app's client asks same-origin paths, and takes `fetch` when it is built: both set up
// before it is (hoisted). The API and the identity provider answer from `world`.
const world = vi.hoisted(() => {
  const NodeRequest = globalThis.Request;
  globalThis.Request = class extends NodeRequest {
    constructor(input: RequestInfo | URL, init?: RequestInit) {
      super(typeof input === "string" ? new URL(input, globalThis.location.href) : input, init);
    }
  };
  const state = {
    accepted: new Set<string>(), // access tokens the API takes
    refusedAs: "unauthorized", // the problem kind of the API's 401 for any other
    refreshes: [] as string[], // the refresh tokens sent to the provider, in order
    provider: "answers" as "answers" | "refuses" | "unreachable" | "silent",
    issued: 0,
    seen: [] as { authorization: string | null; body: string }[], // what reached the API
    during: null as (() => void) | null, // done while the API answers a call
  };
  const json = (body: unknown, status = 200, type = "application/json") =>
    new Response(JSON.stringify(body), { status, headers: { "Content-Type": type } });
  // As a browser's: called as a method of anything but the window, it throws.
  globalThis.fetch = async function (this: unknown, input: RequestInfo | URL, init?: RequestInit) {
    if (this !== undefined && this !== globalThis) throw new TypeError("Illegal invocation");
    // The provider is asked with a form (jsdom's URLSearchParams, which Node's Request refuses).
    const url = new URL(input instanceof Request ? input.url : String(input), globalThis.location.href);
    if (url.pathname === "/v1/auth/config") return json({ issuer: "https://idp.test", client_id: "web", scope: "openid" });
    if (url.origin === "https://idp.test") {
      if (url.pathname === "/.well-known/openid-configuration") {
        return json({
          issuer: "https://idp.test",
          authorization_endpoint: "https://idp.test/authorize",
          token_endpoint: "https://idp.test/token",
          jwks_uri: "https://idp.test/jwks",
        });
      }
      if (url.pathname !== "/token") return new Response(null, { status: 404 });
      const form = new URLSearchParams((init?.body as URLSearchParams).toString());
      state.refreshes.push(form.get("refresh_token") ?? "");
      if (state.provider === "unreachable") throw new TypeError("Failed to fetch");
      if (state.provider === "silent") {
        // Takes the request and never answers: only the caller's abort ends it.
        return new Promise<Response>((_, reject) => {
          init?.signal?.addEventListener("abort", () => reject(new DOMException("Aborted", "AbortError")));
        });
      }
      if (state.provider === "refuses") return json({ error: "invalid_grant" }, 400);
      state.issued += 1;
      const access = `access-${state.issued}`;
      state.accepted.add(access);
      return json({ access_token: access, refresh_token: `refresh-${state.issued}`, expires_in: 900 });
    }
    const request = input instanceof Request ? input : new Request(input, init);
    const authorization = request.headers.get("Authorization");
    state.seen.push({ authorization, body: await request.text() });
    state.during?.();
    if (authorization && state.accepted.has(authorization.replace("Bearer ", ""))) return json([]);
    const type = `https://skyfare.dev/problems/${state.refusedAs}`;
    return json({ type, title: "Refused", status: 401 }, 401, "application/problem+json");
  };
  return state;
});

const { api } = await import("../../../lib/api/client");
const { SignedOutNotice } = await import("../components/SignedOutNotice");
const { signOut, TOKEN_REQUEST_TIMEOUT_MS } = await import("./oidc");
await import("./renewal");
await import("./erasure");

const TRAVELER = { given_name: "Ada", family_name: "Lovelace", born_on: "1990-12-10", gender: "f" } as const;

function signedIn(expiresInMs: number): void {
  world.accepted.add("access-0");
  signInForTest("usr_ada", { accessToken: "access-0", refreshToken: "refresh-0", expiresAt: Date.now() + expiresInMs });
}

beforeEach(() => {
  world.accepted.clear();
  world.refusedAs = "unauthorized";
  world.refreshes = [];
  world.provider = "answers";
  world.seen = [];
  world.during = null;
});
afterEach(() => {
  cleanup();
  signOut();
  setSession(null);
});

describe("a token due by this device's clock", () => {
  it("is renewed before the call, which carries the new one (a device back from sleep)", async () => {
    signedIn(-5 * 60_000); // expired five minutes ago: its refresh timer never ran

    const { data, response } = await api.GET("/v1/orders");

    expect(response.status).toBe(200);
    expect(data).toEqual([]);
    expect(world.refreshes).toEqual(["refresh-0"]);
    expect(world.seen.map((s) => s.authorization)).toEqual([`Bearer access-${world.issued}`]);
    expect(getSession()?.refreshToken).toBe(`refresh-${world.issued}`);
  });

  it("is renewed once for calls made together (a rotated refresh token is sent once)", async () => {
    signedIn(10_000); // within the margin

    const answers = await Promise.all([api.GET("/v1/orders"), api.GET("/v1/orders"), api.GET("/v1/me")]);

    expect(answers.map((a) => a.response.status)).toEqual([200, 200, 200]);
    expect(world.refreshes).toEqual(["refresh-0"]);
  });

  it("is not renewed while it has time left", async () => {
    signedIn(10 * 60_000);

    await api.GET("/v1/orders");

    expect(world.refreshes).toEqual([]);
    expect(world.seen.map((s) => s.authorization)).toEqual(["Bearer access-0"]);
  });
});

describe("a plain 401 to a call", () => {
  it("renews the token and sends the call once more, body and all", async () => {
    signedIn(10 * 60_000);
    world.accepted.clear(); // the provider retired the key that signed it

    const { response } = await api.POST("/v1/me/travelers", { body: TRAVELER });

    expect(response.status).toBe(200);
    expect(world.refreshes).toEqual(["refresh-0"]);
    expect(world.seen.map((s) => s.authorization)).toEqual(["Bearer access-0", `Bearer access-${world.issued}`]);
    expect(world.seen.map((s) => JSON.parse(s.body) as unknown)).toEqual([TRAVELER, TRAVELER]);
  });

  it("renews once for calls refused together", async () => {
    signedIn(10 * 60_000);
    world.accepted.clear();

    const answers = await Promise.all([api.GET("/v1/orders"), api.GET("/v1/orders")]);

    expect(answers.map((a) => a.response.status)).toEqual([200, 200]);
    expect(world.refreshes).toEqual(["refresh-0"]);
  });

  it("signs the tab out, saying the sign-in ended, when the provider refuses to renew", async () => {
    signedIn(10 * 60_000);
    world.accepted.clear();
    world.provider = "refuses";

    const { response } = await api.GET("/v1/orders");

    expect(response.status).toBe(401);
    expect(getSession()).toBeNull();
    render(createElement(MemoryRouter, { initialEntries: ["/trips"] }, createElement(SignedOutNotice)));
    expect(screen.getByRole("alert").textContent).toContain("Your sign-in has ended, so you were signed out here.");
    expect(screen.getByRole("button", { name: "Sign in again" })).toBeTruthy();
  });

  it("keeps the session when the provider cannot be reached, and says so (nothing was refused)", async () => {
    signedIn(10 * 60_000);
    world.accepted.clear();
    world.provider = "unreachable";

    const { response, error } = await api.GET("/v1/orders");

    expect(response.status).toBe(503);
    expect(explain(error as Problem).message).toBe("We could not renew your sign-in just now.");
    expect(world.refreshes).toEqual(["refresh-0"]);
    expect(getSession()?.accessToken).toBe("access-0");
  });

  it("answers a due token's call the same way when the provider cannot be reached", async () => {
    signedIn(-60_000);
    world.accepted.clear(); // expired a minute ago: the API refuses it
    world.provider = "unreachable";

    const { response, error } = await api.GET("/v1/orders");

    expect(response.status).toBe(503);
    expect(isProblem(error) && problemKind(error)).toBe("sign-in-unreachable");
    expect(world.seen.map((s) => s.authorization)).toEqual(["Bearer access-0"]);
    expect(getSession()?.subject).toBe("usr_ada");
  });

  it("gives up on a provider that takes the request and never answers, keeping the session", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    try {
      signedIn(-60_000);
      world.accepted.clear();
      world.provider = "silent";

      const call = api.GET("/v1/orders");
      await vi.advanceTimersByTimeAsync(TOKEN_REQUEST_TIMEOUT_MS);
      const { response, error } = await call;

      expect(response.status).toBe(503);
      expect(isProblem(error) && problemKind(error)).toBe("sign-in-unreachable");
      expect(world.refreshes).toEqual(["refresh-0"]); // one wait, not one more after the 401
      expect(getSession()?.subject).toBe("usr_ada");
    } finally {
      vi.useRealTimers();
    }
  });

  it("is not sent again for someone else, signed in meanwhile", async () => {
    signedIn(10 * 60_000);
    world.accepted.clear();
    world.during = () => {
      world.accepted.add("access-grace");
      signInForTest("usr_grace", { accessToken: "access-grace", refreshToken: "refresh-grace" });
    };

    const { response } = await api.GET("/v1/orders");

    expect(response.status).toBe(401);
    expect(world.refreshes).toEqual([]);
    expect(world.seen.map((s) => s.authorization)).toEqual(["Bearer access-0"]);
  });

  it.each(["insufficient-user-authentication", "account-erased"])("of kind %s renews nothing", async (kind) => {
    signedIn(10 * 60_000);
    world.accepted.clear();
    world.refusedAs = kind;

    const { response } = await api.GET("/v1/orders");

    expect(response.status).toBe(401);
    expect(world.refreshes).toEqual([]);
    expect(world.seen).toHaveLength(1);
  });
});

it("sends a signed-out tab's calls as they are", async () => {
  setSession(null);

  const { response } = await api.GET("/v1/orders");

  expect(response.status).toBe(401);
  expect(world.refreshes).toEqual([]);
  expect(world.seen.map((s) => s.authorization)).toEqual([null]);
});
