// @vitest-environment jsdom
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { cleanup, render, screen } from "@testing-library/react";
import { MemoryRouter } from "react-router";
import { afterEach, expect, it, vi } from "vitest";

import { setSession } from "../../../lib/session";
import { signInForTest } from "../../../lib/testSession";

// The app's client asks same-origin paths and takes `fetch` when it is built (hoisted): the
// profile and the saved travelers are never answered, as on a slow line just after signing up.
vi.hoisted(() => {
  const NodeRequest = globalThis.Request;
  globalThis.Request = class extends NodeRequest {
    constructor(input: RequestInfo | URL, init?: RequestInit) {
      super(typeof input === "string" ? new URL(input, globalThis.location.href) : input, init);
    }
  };
  globalThis.fetch = () => new Promise<Response>(() => undefined);
});

const { ProfilePage } = await import("./ProfilePage");

afterEach(() => {
  cleanup();
  setSession(null);
});

function renderProfile() {
  render(
    <QueryClientProvider client={new QueryClient({ defaultOptions: { queries: { retry: false } } })}>
      <MemoryRouter>
        <ProfilePage />
      </MemoryRouter>
    </QueryClientProvider>,
  );
}

it("says who is signed in at once, from the token's claims, while the profile loads", () => {
  signInForTest();
  renderProfile();
  // Was: only "Loading your profile…" until the profile came, its fields then saying whose it was.
  expect(screen.getByText("Loading your profile…")).toBeTruthy();
  expect(screen.getByText("Signed in as Ada Lovelace (ada@example.com)")).toBeTruthy();
});

it("names the account by what the token carries", () => {
  signInForTest("usr_x", { name: "x@example.com", givenName: null, familyName: null, email: "x@example.com" });
  renderProfile();
  expect(screen.getByText("Signed in as x@example.com")).toBeTruthy();
});
