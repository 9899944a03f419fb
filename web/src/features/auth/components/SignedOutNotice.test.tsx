// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen } from "@testing-library/react";
import { MemoryRouter } from "react-router";
import { afterEach, beforeEach, expect, it, vi } from "vitest";

import { getSession, setSession } from "../../../lib/session";
import { signInForTest } from "../../../lib/testSession";

// The app's client asks same-origin paths, and takes `fetch` when it is built: both set up
// before it is (hoisted). Every call is answered by `answer`.
const server = vi.hoisted(() => {
  const NodeRequest = globalThis.Request;
  globalThis.Request = class extends NodeRequest {
    constructor(input: RequestInfo | URL, init?: RequestInit) {
      super(typeof input === "string" ? new URL(input, globalThis.location.href) : input, init);
    }
  };
  const state = { answer: (): Response => new Response(null, { status: 404 }) };
  globalThis.fetch = () => Promise.resolve(state.answer());
  return state;
});
const oidc = vi.hoisted(() => ({ beginSignIn: vi.fn() }));
vi.mock("../api/oidc", async (original) => ({
  ...(await original<typeof import("../api/oidc")>()),
  beginSignIn: oidc.beginSignIn,
}));

const { api } = await import("../../../lib/api/client");
const { SignedOutNotice } = await import("./SignedOutNotice");

const PROBLEM = { "Content-Type": "application/problem+json" };
const ERASED = {
  type: "https://skyfare.dev/problems/account-erased",
  title: "The account was deleted",
  status: 401,
  detail: "This account was deleted after this session signed in. Sign in again.",
};

function signedIn(): void {
  signInForTest("usr_ada");
}

function drawn(): void {
  render(
    <MemoryRouter initialEntries={["/profile"]}>
      <SignedOutNotice />
    </MemoryRouter>,
  );
}

beforeEach(() => {
  oidc.beginSignIn.mockReset().mockResolvedValue(undefined);
  signedIn();
});
afterEach(() => {
  cleanup();
  setSession(null);
});

it("signs the tab out when its profile read is refused as account-erased, and says so plainly", async () => {
  server.answer = () => new Response(JSON.stringify(ERASED), { status: 401, headers: PROBLEM });
  drawn();
  expect(screen.queryByRole("alert")).toBeNull();

  const { error } = await api.GET("/v1/me");

  expect(error).toEqual(ERASED); // the screen that asked gets the answer as it came
  expect(getSession()).toBeNull();
  const notice = await screen.findByRole("alert");
  expect(notice.textContent).toContain("This account was deleted, so you were signed out here.");
  expect(notice.textContent).toContain("Sign in to start again with a new, empty profile");

  // A sign-in made now: the provider's remembered one predates the deletion.
  fireEvent.click(screen.getByRole("button", { name: "Sign in to start again" }));
  expect(oidc.beginSignIn).toHaveBeenCalledWith("/profile", { maxAge: 0 });

  act(signedIn); // back, signed in again: the notice has said its piece
  expect(screen.queryByRole("alert")).toBeNull();
  act(() => setSession(null)); // an ordinary sign-out later says nothing of a deletion
  expect(screen.queryByRole("alert")).toBeNull();
});

it("leaves the session alone on any other 401", async () => {
  const unauthorized = { type: "https://skyfare.dev/problems/unauthorized", status: 401, detail: "expired" };
  server.answer = () => new Response(JSON.stringify(unauthorized), { status: 401, headers: PROBLEM });
  drawn();

  await api.GET("/v1/me");

  expect(getSession()).not.toBeNull();
  expect(screen.queryByRole("alert")).toBeNull();
});
