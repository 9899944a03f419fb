// @vitest-environment jsdom
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { MemoryRouter } from "react-router";
import type { Middleware } from "openapi-fetch";
import { afterEach, beforeEach, expect, it, vi } from "vitest";

import { api as client, type Order } from "../../../lib/api/client";
import { rememberResume, resumeWaiting } from "../../auth/api/stepUp";
import { YourData } from "./YourData";

// The app's client asks same-origin paths ("/v1/orders"), which Node's Request cannot parse
// without a page's address: resolved against jsdom's, before the client is built (hoisted).
vi.hoisted(() => {
  const NodeRequest = globalThis.Request;
  globalThis.Request = class extends NodeRequest {
    constructor(input: RequestInfo | URL, init?: RequestInit) {
      super(typeof input === "string" ? new URL(input, globalThis.location.href) : input, init);
    }
  };
});

const api = vi.hoisted(() => ({ eraseAccount: vi.fn(), downloadExport: vi.fn(), beginSignIn: vi.fn(), erased: vi.fn() }));

vi.mock("../api/me", async (original) => ({
  ...(await original<typeof import("../api/me")>()),
  eraseAccount: api.eraseAccount,
  downloadExport: api.downloadExport,
  // The sections above it, drawn: the confirmation is brought into view once they are.
  useProfile: () => ({ isPending: false }),
  useTravelers: () => ({ isPending: false }),
}));
vi.mock("../../auth/api/oidc", async (original) => ({
  ...(await original<typeof import("../../auth/api/oidc")>()),
  beginSignIn: api.beginSignIn,
}));

const { MeProblem } = await import("../api/me");

const STEP_UP = {
  type: "https://skyfare.dev/problems/insufficient-user-authentication",
  status: 401,
  detail: "This needs a sign-in within the last 5 minutes, and you signed in 60 minutes ago.",
  max_age: 300,
};
const ERASED = {
  erased: { profile: true, saved_travelers: 0, passengers_contact_details: 0 },
  kept: [],
  detail: "Gone.",
};

/** A trip of the traveler's, as GET /v1/orders lists it (the fields the page reads). */
function trip(id: string, reference: string, status: Order["status"], payment: Order["payment_status"], day: string) {
  const segment = { origin: "LHR", destination: "JFK", departing_at: `${day}T08:25:00` };
  return { id, booking_reference: reference, status, payment_status: payment, slices: [{ origin: "LHR", destination: "JFK", segments: [segment] }] };
}

// GET /v1/orders answered with one page after another (none by default: no trips), each ask
// seen; the pages hold what the API lists for the ask (the tests ask for trips in flight only).
let pages: ReturnType<typeof trip>[][] = [];
let asked: URL[] = [];
const orders: Middleware = {
  onRequest({ request }) {
    const url = new URL(request.url);
    if (url.pathname !== "/v1/orders") return undefined;
    asked.push(url);
    const data = pages.shift() ?? [];
    const after = pages.length > 0 ? `page${asked.length + 1}` : null;
    return new Response(JSON.stringify({ data, meta: { limit: 200, after } }), { headers: { "Content-Type": "application/json" } });
  },
};
client.use(orders);

beforeEach(() => {
  pages = [];
  asked = [];
  api.eraseAccount.mockReset();
  api.erased.mockReset();
  api.beginSignIn.mockReset().mockResolvedValue(undefined);
});
afterEach(() => {
  cleanup();
  sessionStorage.clear();
});

function drawn(subject = "usr_ada") {
  render(
    <QueryClientProvider client={new QueryClient()}>
      <MemoryRouter initialEntries={["/profile"]}>
        <YourData subject={subject} email="ada@example.com" onErased={api.erased} />
      </MemoryRouter>
    </QueryClientProvider>,
  );
}

const confirmation = () => screen.queryByRole("group", { name: "Delete your account?" });

it("offers a fresh sign-in, back to this page, when the API wants a more recent one", async () => {
  api.eraseAccount.mockRejectedValue(new MeProblem(STEP_UP));
  drawn();

  fireEvent.click(screen.getByRole("button", { name: "Delete my account…" }));
  fireEvent.click(await screen.findByRole("button", { name: "Yes, delete my account" }));
  const refused = await screen.findByRole("alert");
  expect(refused).toHaveProperty("textContent", expect.stringContaining("this needs a fresh sign-in"));
  fireEvent.click(within(refused).getByRole("button", { name: "Sign in again" }));

  expect(api.beginSignIn).toHaveBeenCalledWith("/profile", { maxAge: 0, loginHint: "ada@example.com" });
  expect(resumeWaiting("delete-account", "usr_ada")).toBe(true);
  expect(api.eraseAccount).toHaveBeenCalledTimes(1);
});

it("back from signing in, asks for the yes again and deletes only then", async () => {
  api.eraseAccount.mockResolvedValue(ERASED);
  rememberResume("delete-account", "usr_ada");
  drawn();

  const asked = confirmation();
  expect(asked).not.toBeNull();
  expect(asked?.textContent).toContain("You signed in again");
  expect(api.eraseAccount).not.toHaveBeenCalled();
  expect(resumeWaiting("delete-account", "usr_ada")).toBe(false); // offered once
  await waitFor(() => expect(document.activeElement).toBe(asked)); // the question, not the button

  fireEvent.click(await screen.findByRole("button", { name: "Yes, delete my account" }));

  await waitFor(() => expect(api.erased).toHaveBeenCalledWith(ERASED)); // the page shows it (ErasedAccount)
  expect(api.eraseAccount).toHaveBeenCalledTimes(1);
});

it("does not offer another traveler's deletion to whoever signed in instead", async () => {
  rememberResume("delete-account", "usr_ada");
  drawn("usr_bob");

  expect(confirmation()).toBeNull();
  expect(screen.getByRole("button", { name: "Delete my account…" })).toBeDefined();
  await waitFor(() => expect(sessionStorage.getItem("skyfare.resume")).toBeNull());
  expect(api.eraseAccount).not.toHaveBeenCalled();
});

it("moves focus to the question when it opens, and back to its button when the traveler keeps the account", async () => {
  drawn();
  const opener = screen.getByRole("button", { name: "Delete my account…" });
  opener.focus();

  fireEvent.click(opener);
  const asked = confirmation();
  await waitFor(() => expect(document.activeElement).toBe(asked)); // read first, never the yes button

  fireEvent.click(screen.getByRole("button", { name: "Keep my account" }));
  expect(confirmation()).toBeNull();
  await waitFor(() => expect(document.activeElement).toBe(screen.getByRole("button", { name: "Delete my account…" })));
  expect(api.eraseAccount).not.toHaveBeenCalled();
});

it("puts the focus on a refusal, so its next step is the next Tab, not the top of the page", async () => {
  api.eraseAccount.mockRejectedValue(new MeProblem(STEP_UP));
  drawn();

  fireEvent.click(screen.getByRole("button", { name: "Delete my account…" }));
  const yes = await screen.findByRole("button", { name: "Yes, delete my account" });
  yes.focus();
  fireEvent.click(yes);

  const refused = await screen.findByRole("alert");
  await waitFor(() => expect(document.activeElement).toBe(refused));
});

it("moves focus to the download question and back to its button on Not now", async () => {
  drawn();
  fireEvent.click(screen.getByRole("button", { name: "Export my data…" }));
  const asked = screen.getByRole("group", { name: "Download your data?" });
  await waitFor(() => expect(document.activeElement).toBe(asked));

  fireEvent.click(screen.getByRole("button", { name: "Not now" }));
  await waitFor(() => expect(document.activeElement).toBe(screen.getByRole("button", { name: "Export my data…" })));
});

it("names the trips in flight as the question opens, and offers no yes (nor a sign-in) while there are any", async () => {
  pages = [
    [trip("ord_a", "K7Q2MZ", "held", "unpaid", "2030-06-20")],
    [trip("ord_c", "PAYING", "held", "processing", "2030-07-02"), trip("ord_e", "REFUND", "cancelled", "processing", "2030-05-01")],
  ];
  drawn();

  fireEvent.click(screen.getByRole("button", { name: "Delete my account…" }));
  const question = confirmation();
  expect(question?.textContent).toContain("Checking your trips");
  const list = await within(question as HTMLElement).findByRole("list", { name: "Trips still in progress" });
  expect(within(list).getAllByRole("link").map((link) => [link.textContent, link.getAttribute("href")])).toEqual([
    ["LHR → JFK on Thu 20 Jun 2030 (K7Q2MZ)", "/trips/ord_a"],
    ["LHR → JFK on Tue 2 Jul 2030 (PAYING)", "/trips/ord_c"],
    ["LHR → JFK on Wed 1 May 2030 (REFUND)", "/trips/ord_e"],
  ]);
  expect(list.textContent).toContain("on hold, not paid");
  expect(list.textContent).toContain("being paid");
  expect(question?.textContent).toContain("cannot be deleted yet");
  // Only the trips in flight were asked for, every page of them, as many at once as the API gives.
  const query = (url: URL) => [url.searchParams.get("in_flight"), url.searchParams.get("limit"), url.searchParams.get("after")];
  expect(asked.map(query)).toEqual([
    ["true", "200", null],
    ["true", "200", "page2"],
  ]);
  expect(screen.queryByRole("button", { name: "Yes, delete my account" })).toBeNull();
  expect(screen.queryByRole("button", { name: "Sign in again" })).toBeNull();
  expect(screen.getByRole("button", { name: "Keep my account" })).toBeDefined();
  expect(api.eraseAccount).not.toHaveBeenCalled();
});

it("names each trip of a refusal apart, from the trips read again (one held since the question opened)", async () => {
  api.eraseAccount.mockRejectedValue(
    new MeProblem({
      type: "https://skyfare.dev/problems/conflict",
      status: 409,
      detail: "2 of your orders are still in flight",
      orders_in_flight: ["ord_new", "ord_booking"],
    }),
  );
  drawn();
  fireEvent.click(screen.getByRole("button", { name: "Delete my account…" }));
  const yes = await screen.findByRole("button", { name: "Yes, delete my account" }); // none in flight yet
  pages = [[trip("ord_new", "NEW123", "held", "unpaid", "2030-06-20")]]; // held in another tab
  fireEvent.click(yes);

  const refused = await screen.findByRole("alert");
  expect(refused.textContent).toContain("still in progress");
  // The one still being booked is not listed by the API: named by its place, apart all the same.
  await waitFor(() =>
    expect(within(refused).getAllByRole("link").map((link) => link.textContent)).toEqual([
      "LHR → JFK on Thu 20 Jun 2030 (NEW123)",
      "Trip 2 of 2",
    ]),
  );
});
