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
  const state = { asked: 0, failing: 0, orders: [] as unknown[], after: null as string | null, older: null as Promise<Response> | null };
  globalThis.fetch = () => {
    state.asked += 1;
    if (state.failing > 0) {
      state.failing -= 1;
      const problem = { type: "https://skyfare.dev/problems/service-unavailable", status: 503 };
      return Promise.resolve(Response.json(problem, { status: 503, headers: { "Content-Type": "application/problem+json" } }));
    }
    if (state.older && state.asked > 1) return state.older; // the second page: when the test says
    return Promise.resolve(Response.json({ data: state.orders, meta: { after: state.after } }));
  };
  return state;
});

const { TripsPage } = await import("./TripsPage");
const { localMoment } = await import("../../../lib/format");

function signedIn(accessToken: string): void {
  signInForTest("usr_ada", { accessToken, refreshToken: "refresh" });
}

afterEach(() => {
  cleanup();
  setSession(null);
  server.asked = 0;
  server.failing = 0;
  server.orders = [];
  server.after = null;
  server.older = null;
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

function trip(reference: string, status: string, payment_status: string) {
  const segment = { marketing_carrier: "BA", flight_number: "BA117", origin: "LHR", destination: "JFK", departing_at: "2027-02-04T08:25:00", arriving_at: "2027-02-04T11:35:00", aircraft: "777", cabin_class: "economy" };
  return {
    id: `ord_${reference}`,
    booking_reference: reference,
    status,
    payment_status,
    payment_required_by: "2027-01-05T14:05:00Z",
    total_amount: "612.40",
    total_currency: "USD",
    slices: [{ origin: "LHR", destination: "JFK", duration: "PT8H10M", segments: [segment] }],
    passengers: [],
    created_at: "2027-01-04T14:05:00Z",
  };
}

it("says by when a trip on hold must be paid, and nothing of the kind for a paid one", async () => {
  signedIn("access-1");
  server.orders = [trip("HELD01", "held", "unpaid"), trip("PAID01", "confirmed", "paid")];
  renderTrips();

  const held = await screen.findByRole("article", { name: "Trip HELD01" });
  // Was: "On hold (not paid)" alone; the deadline only on the trip's own page.
  expect(held.textContent).toContain(`Pay by ${localMoment("2027-01-05T14:05:00Z")} to keep these seats.`);
  expect(held.querySelector("time")?.getAttribute("datetime")).toBe("2027-01-05T14:05:00Z");
  expect(screen.getByRole("article", { name: "Trip PAID01" }).textContent).not.toContain("Pay by");
});

it("tells a trip whose payment waits for the traveler's bank from one being charged", async () => {
  signedIn("access-1");
  const action = { type: "redirect_to_url", url: "http://127.0.0.1:9100/payments/challenge/pi_1" };
  server.orders = [
    { ...trip("BANK01", "held", "processing"), payment_next_action: action },
    { ...trip("CHRG01", "held", "processing"), payment_next_action: null },
  ];
  renderTrips();

  // Was: "On hold (not paid)" for both, and no deadline: nothing said the first one was the
  // traveler's to confirm (or to pay with another card) before the hold runs out.
  const atBank = await screen.findByRole("article", { name: "Trip BANK01" });
  expect(atBank.textContent).toContain("On hold: confirm the payment with your bank");
  expect(atBank.textContent).toContain(`Pay by ${localMoment("2027-01-05T14:05:00Z")} to keep these seats.`);
  const charging = screen.getByRole("article", { name: "Trip CHRG01" });
  expect(charging.textContent).toContain("On hold: payment in progress");
  expect(charging.textContent).not.toContain("Pay by");
  expect(charging.textContent).not.toContain("bank");
});

it("says what each trip cost from its charges: seats bought after booking, and what came back", async () => {
  signedIn("access-1");
  const charge = (id: string, type: string, amount: string, refunded = "0.00") =>
    ({ id, type, amount, refunded_amount: refunded, refund_pending_amount: "0.00", created_at: "2027-01-04T14:05:00Z" });
  const seated = { ...trip("SEATS1", "confirmed", "paid"), money: { currency: "USD", paid_amount: "657.40", refunded_amount: "0.00", refund_pending_amount: "0.00", charges: [charge("pay_1", "booking", "612.40"), charge("sch_1", "seats", "45.00")] } };
  const cancelled = { ...trip("GONE01", "cancelled", "refunded"), money: { currency: "USD", paid_amount: "612.40", refunded_amount: "92.40", refund_pending_amount: "0.00", charges: [charge("pay_2", "booking", "612.40", "92.40")] } };
  server.orders = [seated, cancelled];
  renderTrips();

  // Was: the fare's total alone, "$612.40", for both: the seats' 45.00 left out, and a cancelled
  // trip's fare read as what it cost.
  const paid = await screen.findByRole("article", { name: "Trip SEATS1" });
  expect(paid.textContent).toContain("Total $657.40.");
  expect(screen.getByRole("article", { name: "Trip GONE01" }).textContent).toContain(
    "You paid $612.40: $92.40 back to your card, $520.00 kept under the fare's conditions.",
  );
});

it("keeps Show older trips focusable while the older trips load", async () => {
  signedIn("access-1");
  server.orders = [trip("NEW001", "confirmed", "paid")];
  server.after = "cursor-1";
  let answer: (response: Response) => void = () => undefined;
  server.older = new Promise((resolve) => {
    answer = resolve;
  });
  renderTrips();
  const more = await screen.findByRole("button", { name: "Show older trips" });
  more.focus();
  fireEvent.click(more);

  // Was `disabled`: the focus fell to the page's body while the older trips loaded.
  await vi.waitFor(() => expect(more.getAttribute("aria-disabled")).toBe("true"));
  expect(more.hasAttribute("disabled")).toBe(false);
  expect(document.activeElement).toBe(more);
  fireEvent.click(more);
  expect(server.asked).toBe(2);
  await act(async () => {
    answer(Response.json({ data: [trip("OLD001", "confirmed", "paid")], meta: { after: null } }));
    await Promise.resolve();
  });
  expect(await screen.findByRole("article", { name: "Trip OLD001" })).toBeTruthy();
});
