// @vitest-environment jsdom
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { MemoryRouter } from "react-router";
import { afterEach, expect, it, vi } from "vitest";

import type { Order } from "../../../lib/api/client";
import { setSession } from "../../../lib/session";
import { signInForTest } from "../../../lib/testSession";

// The app's client asks same-origin paths and takes `fetch` when it is built (hoisted): every
// change search is refused with `state.errors`, as the API refuses a date.
const server = vi.hoisted(() => {
  const NodeRequest = globalThis.Request;
  globalThis.Request = class extends NodeRequest {
    constructor(input: RequestInfo | URL, init?: RequestInit) {
      super(typeof input === "string" ? new URL(input, globalThis.location.href) : input, init);
    }
  };
  const state = { errors: [] as { field: string; message: string }[] };
  globalThis.fetch = () => {
    const problem = { type: "https://skyfare.dev/problems/validation-error", status: 422, errors: state.errors };
    return Promise.resolve(Response.json(problem, { status: 422, headers: { "Content-Type": "application/problem+json" } }));
  };
  return state;
});

const { default: ChangeFlight } = await import("./ChangeFlight");

afterEach(() => {
  cleanup();
  setSession(null);
});

const slice = (origin: string, destination: string, day: string) => ({
  origin,
  destination,
  duration: "PT8H",
  segments: [{ marketing_carrier: "BA", flight_number: "BA117", origin, destination, departing_at: `${day}T08:25:00`, arriving_at: `${day}T11:35:00`, aircraft: "777", cabin_class: "economy" }],
});

const order = {
  id: "ord_1",
  status: "confirmed",
  slices: [slice("LHR", "JFK", "2027-02-04"), slice("JFK", "LHR", "2027-02-11")],
  passengers: [],
} as unknown as Order;

function searchOn(day: string, trip: Order = order) {
  signInForTest();
  render(
    <QueryClientProvider client={new QueryClient()}>
      <MemoryRouter>
        <ChangeFlight order={trip} sliceIndex={1} onDone={() => undefined} />
      </MemoryRouter>
    </QueryClientProvider>,
  );
  const date = screen.getByLabelText("New departure date");
  fireEvent.change(date, { target: { value: day } });
  fireEvent.submit(screen.getByRole("form", { name: "Find another flight" }));
  return date;
}

it("says beside the date, in words, that a return cannot leave before the outbound", async () => {
  server.errors = [{ field: "departure_date", message: "must not be before slice 0's date (2027-02-04)" }];
  const date = searchOn("2027-02-01");

  // Was the API's words: "must not be before slice 0's date (2027-02-04)".
  const error = await screen.findByText(/cannot leave before/);
  expect(error.textContent).toBe("This flight cannot leave before your earlier flight on Thu 4 Feb 2027: choose that day or later.");
  expect(date.getAttribute("aria-invalid")).toBe("true");
  expect(date.getAttribute("aria-describedby")).toBe(error.id);
  expect(document.activeElement).toBe(date); // was: Find flights kept it, a Tab from the field
  expect(screen.queryByText(/slice 0/)).toBeNull();
});

it("never shows the API's words for a date it refused for another reason", async () => {
  server.errors = [{ field: "departure_date", message: "some rule of the API's (2027-02-09)" }];
  searchOn("2027-02-09");

  expect((await screen.findByText(/choose another day/)).textContent).toBe("This day cannot be searched for this flight: choose another day.");
  expect(screen.queryByText(/rule of the API/)).toBeNull();
});

it("makes live only the search's status line, not the list of change offers", async () => {
  server.errors = [{ field: "departure_date", message: "some rule of the API's (2027-02-09)" }];
  searchOn("2027-02-09");
  await screen.findByText(/choose another day/);

  const offers = screen.getByRole("region", { name: "Change offers" });
  // A live region is read out whole at each change: every offer, its times and its button.
  expect(offers.closest("[aria-live], [role=status], [role=alert]")).toBeNull();
  // One status line, drawn before its words come (a region born with words is often not read).
  expect([...offers.querySelectorAll("[aria-live], [role=status], [role=alert]")].map((live) => live.textContent)).toEqual([""]);
});

it("says which flight has flown when the API refuses its slice, not that some details need fixing", async () => {
  server.errors = [{ field: "slice_index", message: "slice 1's first flight has left: it can no longer be changed" }];
  searchOn("2027-02-12");

  const alert = await screen.findByRole("alert");
  expect(alert.textContent).toBe(
    "Your flight JFK → LHR, BA117, Thu 11 Feb 2027 has left, so it can no longer be changed. " +
      "Nothing was changed. If you missed this flight or it was disrupted, contact support about this trip.",
  );
  expect(screen.queryByText(/Some details need fixing|slice 1/)).toBeNull();
});

it("says whose age a later day breaks, by the booking form's rule and dates, never the API's ISO date", async () => {
  server.errors = [
    { field: "departure_date", message: "passengers[1]: an infant must be under 2 on every flight (the last leaves 2027-02-20); this passenger is 2 then" },
  ];
  const ralph = { type: "infant", given_name: "Ralph", family_name: "Lovelace", born_on: "2025-02-15", gender: "m" };
  const ada = { type: "adult", given_name: "Ada", family_name: "Lovelace", born_on: "1990-12-10", gender: "f" };
  searchOn("2027-02-20", { ...order, passengers: [ada, ralph] } as unknown as Order);

  // Was: "This day cannot be searched for this flight: choose another day.", saying not why.
  expect((await screen.findByText(/Ralph Lovelace/)).textContent).toBe(
    "Ralph Lovelace must be under 2 on Sat 20 Feb 2027, when the last flight leaves: this passenger is 2 then. Choose another day.",
  );
  expect(screen.queryByText(/2027-02-20/)).toBeNull();
});
