// @vitest-environment jsdom
import type { QueryClient, QueryKey } from "@tanstack/react-query";
import { afterEach, beforeEach, expect, it, vi } from "vitest";

import { getSession, setSession } from "../lib/session";
import { signInForTest } from "../lib/testSession";

// The app's client asks same-origin paths, and takes `fetch` when it is built: both set up
// before it is (hoisted). Every call is answered by `answer`.
const server = vi.hoisted(() => {
  const NodeRequest = globalThis.Request;
  globalThis.Request = class extends NodeRequest {
    constructor(input: RequestInfo | URL, init?: RequestInit) {
      super(typeof input === "string" ? new URL(input, globalThis.location.href) : input, init);
    }
  };
  const state: { answer: (url: string) => Response } = { answer: () => new Response(null, { status: 404 }) };
  globalThis.fetch = (input: RequestInfo | URL) =>
    Promise.resolve(state.answer(input instanceof Request ? input.url : String(input)));
  return state;
});

const { api } = await import("../lib/api/client");
const { signOut } = await import("../features/auth");
const { beginSignIn } = await import("../features/auth/api/oidc");
const { rememberResume, resumeWaiting } = await import("../features/auth/api/stepUp");
const { storeSearchDraft } = await import("../lib/searchDraft");
const { createQueryClient } = await import("./queryClient");
// Every feature's key factory, so a family added to one is decided on here (lib/personalQueries).
const { meKeys } = await import("../features/profile/api/me");
const { orderKeys } = await import("../features/trips/api/orders");
const { bookingKeys } = await import("../features/booking/api/orders");
const { seatKeys } = await import("../features/seats");
const { supportKeys } = await import("../features/support/api/cases");
const { offerKeys } = await import("../features/offers/api/offer");
const { airportKeys } = await import("../features/search/api/airports");
const { calendarKeys } = await import("../features/search/api/calendar");

const PERSONAL: QueryKey[] = [
  meKeys.profile("usr_ada"),
  meKeys.travelers("usr_ada"),
  orderKeys.list("usr_ada"),
  orderKeys.inFlight("usr_ada"),
  bookingKeys.order("ord_1"),
  ["orders", "history", "ord_1", "held", "unpaid", "2026-12-06T12:00:00Z"], // booking/api/history.ts
  ["orders", "change", "ord_1", "chg_1"], // changes/api/changes.ts
  seatKeys.maps("ord_1"),
  seatKeys.order("ord_1"),
  supportKeys.cases,
];
const PUBLIC: QueryKey[] = [
  offerKeys.priced("off_1"),
  airportKeys.matching("lon"),
  calendarKeys.month("LHR", "JFK", "2026-12", "economy", 1, "USD"),
  ["connectors"], // results/components/AirlineStatus.tsx
];

const ERASED = {
  type: "https://skyfare.dev/problems/account-erased",
  title: "The account was deleted",
  status: 401,
  detail: "This account was deleted after this session signed in. Sign in again.",
};

function signedIn(subject: string, accessToken = "access"): void {
  signInForTest(subject, { accessToken });
}

function filled(client: QueryClient): void {
  for (const key of [...PERSONAL, ...PUBLIC]) client.setQueryData(key, { of: "usr_ada" });
}

const held = (client: QueryClient) => client.getQueryCache().findAll().map((query) => query.queryKey);

let client: QueryClient;

beforeEach(() => {
  setSession(null);
  client = createQueryClient();
  signedIn("usr_ada");
  filled(client);
});

afterEach(() => {
  setSession(null);
  sessionStorage.clear();
  server.answer = () => new Response(null, { status: 404 });
});

it("forgets every personal answer on sign out and keeps the public ones", () => {
  signOut();

  expect(held(client)).toEqual(expect.arrayContaining(PUBLIC));
  expect(held(client)).toHaveLength(PUBLIC.length);
});

it("forgets them when the account is found erased (401 account-erased)", async () => {
  server.answer = () =>
    new Response(JSON.stringify(ERASED), { status: 401, headers: { "Content-Type": "application/problem+json" } });

  await api.GET("/v1/me");

  expect(getSession()).toBeNull();
  expect(held(client)).toHaveLength(PUBLIC.length);
  expect(held(client)).toEqual(expect.arrayContaining(PUBLIC));
});

it("cancels a personal answer still on its way, so it lands nowhere", async () => {
  let aborted = false;
  const trips = client.fetchQuery({
    queryKey: orderKeys.list("usr_ada"),
    queryFn: ({ signal }) =>
      new Promise((resolve) => {
        signal.addEventListener("abort", () => {
          aborted = true;
          resolve({ of: "usr_ada", late: true });
        });
      }),
  });

  signOut();
  await trips.catch(() => undefined);

  expect(aborted).toBe(true);
  expect(client.getQueryData(orderKeys.list("usr_ada"))).toBeUndefined();
});

it("forgets them when another traveler signs in, and keeps them over a refresh of the same", () => {
  signedIn("usr_ada", "refreshed");
  expect(held(client)).toHaveLength(PERSONAL.length + PUBLIC.length);

  signedIn("usr_alan");
  expect(held(client)).toHaveLength(PUBLIC.length);
});

it("forgets on sign out what waited to be offered again after a sign-in, and the search being typed", () => {
  rememberResume("delete-account", "usr_ada");
  // It may hold the profile's home airport, filled in by the preferences.
  storeSearchDraft("trip=one-way&leg=LHR.JFK.2027-01-10");

  signOut();

  expect(resumeWaiting("delete-account", "usr_ada")).toBe(false);
  expect(sessionStorage.length).toBe(0);
});

it("a page left for a sign-in again comes back from the back/forward cache signed out, with nothing personal", async () => {
  const issuer = "https://id.example";
  server.answer = (url) => {
    if (url.endsWith("/v1/auth/config")) return Response.json({ issuer, client_id: "web", scope: "openid" });
    if (url.endsWith("/.well-known/openid-configuration")) {
      return Response.json({
        issuer,
        authorization_endpoint: `${issuer}/authorize`,
        token_endpoint: `${issuer}/token`,
        jwks_uri: `${issuer}/jwks`,
      });
    }
    return new Response(null, { status: 404 });
  };
  rememberResume("delete-account", "usr_ada");

  await beginSignIn("/profile", { maxAge: 0 });
  expect(getSession()?.subject).toBe("usr_ada"); // no blink before the page is left
  window.dispatchEvent(new Event("pagehide"));

  expect(getSession()).toBeNull();
  expect(held(client)).toHaveLength(PUBLIC.length);
  expect(resumeWaiting("delete-account", "usr_ada")).toBe(true); // the same traveler is signing in again
});
