// @vitest-environment jsdom
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { act, cleanup, render, screen } from "@testing-library/react";
import { MemoryRouter } from "react-router";
import { afterEach, expect, it, vi } from "vitest";

import { setSession } from "../../../lib/session";
import { signInForTest } from "../../../lib/testSession";

// The app's client asks same-origin paths, and takes `fetch` when it is built: both set up
// before it is (hoisted). Every call is counted and answered with no trips.
const server = vi.hoisted(() => {
  const NodeRequest = globalThis.Request;
  globalThis.Request = class extends NodeRequest {
    constructor(input: RequestInfo | URL, init?: RequestInit) {
      super(typeof input === "string" ? new URL(input, globalThis.location.href) : input, init);
    }
  };
  const state = { asked: 0 };
  globalThis.fetch = () => {
    state.asked += 1;
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
});

it("keeps the trips over a silent refresh of the same traveler's tokens: they are keyed by who, not by the token", async () => {
  signedIn("access-1");
  render(
    <QueryClientProvider client={new QueryClient({ defaultOptions: { queries: { retry: false } } })}>
      <MemoryRouter initialEntries={["/trips"]}>
        <TripsPage />
      </MemoryRouter>
    </QueryClientProvider>,
  );
  expect(await screen.findByText(/No trips yet/)).toBeTruthy();

  act(() => signedIn("access-2"));

  expect(screen.queryByText("Loading your trips…")).toBeNull();
  expect(screen.getByText(/No trips yet/)).toBeTruthy();
  expect(server.asked).toBe(1);
});
