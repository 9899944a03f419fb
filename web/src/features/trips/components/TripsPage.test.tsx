// @vitest-environment jsdom
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { act, cleanup, fireEvent, render, screen } from "@testing-library/react";
import { MemoryRouter } from "react-router";
import { afterEach, expect, it, vi } from "vitest";

import { setSession } from "../../../lib/session";
import { signInForTest } from "../../../lib/testSession";

// The app's client asks same-origin paths, and takes `fetch` when it is built: both set up
// before it is (hoisted). Every call is counted and answered with no trips, but for the ones
// `failing` says to refuse as Skyfare unable to go on.
const server = vi.hoisted(() => {
  const NodeRequest = globalThis.Request;
  globalThis.Request = class extends NodeRequest {
    constructor(input: RequestInfo | URL, init?: RequestInit) {
      super(typeof input === "string" ? new URL(input, globalThis.location.href) : input, init);
    }
  };
  const state = { asked: 0, failing: 0 };
  globalThis.fetch = () => {
    state.asked += 1;
    if (state.failing > 0) {
      state.failing -= 1;
      const problem = { type: "https://skyfare.dev/problems/service-unavailable", status: 503 };
      return Promise.resolve(Response.json(problem, { status: 503, headers: { "Content-Type": "application/problem+json" } }));
    }
    return Promise.resolve(Response.json({ data: [], meta: { after: null } }));
  };
  return state;
});

const { TripsPage } = await import("./TripsPage");

function signedIn(accessToken: string): void {
  signInForTest("usr_ada", { accessToken, refreshToken: "refresh" });
}

afterEach(() => {
  cleanup();
  setSession(null);
  server.asked = 0;
  server.failing = 0;
});

function renderTrips(): void {
  render(
    <QueryClientProvider client={new QueryClient({ defaultOptions: { queries: { retry: false } } })}>
      <MemoryRouter initialEntries={["/trips"]}>
        <TripsPage />
      </MemoryRouter>
    </QueryClientProvider>,
  );
}

it("asks again for trips it could not read, when the traveler says so (a reload would sign them out)", async () => {
  signedIn("access-1");
  server.failing = 1;
  renderTrips();
  // In words for this screen: it reads only our own records (was "The airlines cannot be reached").
  expect((await screen.findByRole("alert")).textContent).toContain("Your trips cannot be loaded right now.");

  fireEvent.click(screen.getByRole("button", { name: "Try again" }));

  expect(await screen.findByText(/No trips yet/)).toBeTruthy();
  expect(screen.queryByRole("alert")).toBeNull();
  expect(server.asked).toBe(2);
});

it("keeps the trips over a silent refresh of the same traveler's tokens: they are keyed by who, not by the token", async () => {
  signedIn("access-1");
  renderTrips();
  expect(await screen.findByText(/No trips yet/)).toBeTruthy();

  act(() => signedIn("access-2"));

  expect(screen.queryByText("Loading your trips…")).toBeNull();
  expect(screen.getByText(/No trips yet/)).toBeTruthy();
  expect(server.asked).toBe(1);
});
