// @vitest-environment jsdom
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { act, cleanup, fireEvent, render, screen } from "@testing-library/react";
import { MemoryRouter } from "react-router";
import { afterEach, expect, it, vi } from "vitest";

import type { Order } from "../../../lib/api/client";
import { setSession } from "../../../lib/session";
import { signInForTest } from "../../../lib/testSession";
import type { ChangeOffer } from "../api/changes";

const BANK = "https://gateway.test/payments/challenge/pi_1";

// The app's client asks same-origin paths and takes `fetch` when it is built (hoisted): each
// confirmation is answered by the next of `state.answers` (status, body); its key and its
// method, path and body are kept.
const server = vi.hoisted(() => {
  const NodeRequest = globalThis.Request;
  globalThis.Request = class extends NodeRequest {
    constructor(input: RequestInfo | URL, init?: RequestInit) {
      super(typeof input === "string" ? new URL(input, globalThis.location.href) : input, init);
    }
  };
  const state = { answers: [] as [number, unknown][], keys: [] as (string | null)[], asked: [] as string[] };
  globalThis.fetch = async (input: RequestInfo | URL) => {
    const request = input as Request;
    state.keys.push(request.headers.get("Idempotency-Key"));
    state.asked.push(`${request.method} ${new URL(request.url).pathname} ${await request.text()}`);
    const [status, body] = state.answers.shift() ?? [503, { type: "about:blank", status: 503 }];
    const type = status >= 400 ? "application/problem+json" : "application/json";
    return Response.json(body, { status, headers: { "Content-Type": type } });
  };
  return state;
});

const { ConfirmChange } = await import("./ConfirmChange");
const { default: ChangeBankNotice } = await import("./ChangeBankNotice");

afterEach(() => {
  cleanup();
  setSession(null);
  server.answers = [];
  server.keys = [];
  server.asked = [];
});

const flight = {
  marketing_carrier: "AA", flight_number: "AA237", origin: "LHR", destination: "JFK",
  departing_at: "2027-01-15T17:45:00", arriving_at: "2027-01-15T20:30:00", aircraft: "789", cabin_class: "premium_economy",
};
const order = {
  id: "ord_1", status: "confirmed", payment_status: "paid", seats: [], passengers: [],
  slices: [{ origin: "LHR", destination: "JFK", duration: "PT7H45M", segments: [flight] }],
} as unknown as Order;
const offer = {
  id: "och_1", order_id: "ord_1", status: "quoted", slice_index: 0, expires_at: new Date(Date.now() + 600_000).toISOString(),
  slice: { ...order.slices[0], segments: [{ ...flight, departing_at: "2027-01-16T17:45:00" }] },
  fare_difference_amount: "40.00", fare_difference_currency: "USD", penalty_total_amount: "0.00",
  penalty_total_currency: "USD", change_total_amount: "40.00", change_total_currency: "USD",
  new_total_amount: "640.00", new_total_currency: "USD",
} as unknown as ChangeOffer;
const waiting = { ...offer, status: "confirming", next_action: { type: "redirect_to_url", url: BANK } };

function confirmed(onChanged: (done: ChangeOffer) => void) {
  signInForTest();
  render(
    <QueryClientProvider client={new QueryClient()}>
      <MemoryRouter>
        <ConfirmChange order={order} offer={offer} onChanged={onChanged} onBack={() => undefined} onSearchAgain={() => undefined} />
      </MemoryRouter>
    </QueryClientProvider>,
  );
  fireEvent.click(screen.getByRole("button", { name: "Confirm change" }));
}

/** The bank's page sends its frame back (to /bank-return): the frame's second load. */
async function bankAnswers() {
  const frame = screen.getByTitle("Your bank’s page");
  await act(async () => {
    fireEvent.load(frame); // the bank's page
    fireEvent.load(frame); // its answer, back
    await Promise.resolve();
  });
}

it("shows the bank's page for a change the card's bank holds, then confirms the same change once it answered", async () => {
  server.answers = [[202, waiting], [200, { ...offer, status: "confirmed" }]];
  const onChanged = vi.fn();
  confirmed(onChanged);
  // Was: the 202's change, still `confirming`, was taken for a done change.
  expect(await screen.findByRole("dialog", { name: "Confirm with your bank" })).toBeTruthy();
  expect(screen.getByTitle("Your bank’s page").getAttribute("src")).toBe(BANK);
  expect(onChanged).not.toHaveBeenCalled();
  await bankAnswers();
  await vi.waitFor(() => expect(onChanged).toHaveBeenCalledWith(expect.objectContaining({ status: "confirmed" })));
  expect(server.keys).toHaveLength(2);
  expect(server.keys[1]).toBe(server.keys[0]); // the same confirmation, not a second change
});

it("says the change is not done once the bank's page is closed, and opens it again", async () => {
  server.answers = [[202, waiting]];
  confirmed(() => undefined);
  const dialog = await screen.findByRole("dialog", { name: "Confirm with your bank" });
  // jsdom has no modal dialogs: the `close` event is what Close and Escape end in, in a browser.
  act(() => void dialog.dispatchEvent(new Event("close")));
  expect(screen.getByRole("status").textContent).toBe(
    "You closed your bank’s page before confirming, so your flight change is not done and nothing has been charged. Confirm with your bank to finish it.",
  );
  expect(screen.queryByRole("button", { name: "Confirm change" })).toBeNull();
  // No other change can be confirmed while this one waits: no way back to the other flights.
  expect(screen.queryByRole("button", { name: "Back to the flights" })).toBeNull();
  fireEvent.click(screen.getByRole("button", { name: "Confirm with your bank" }));
  expect(screen.getByRole("dialog", { name: "Confirm with your bank" })).toBeTruthy();
});

it("says a change the bank declined as a declined card, the trip keeping its flights", async () => {
  const declined = {
    type: "https://skyfare.dev/problems/conflict", status: 409, change_status: "failed",
    failure_code: "card_declined", decline_code: "payment_intent_authentication_failure",
  };
  server.answers = [[202, waiting], [409, declined]];
  confirmed(() => undefined);
  await screen.findByRole("dialog", { name: "Confirm with your bank" });
  await bankAnswers();
  const refusal = await screen.findByRole("alert");
  expect(refusal.textContent).toMatch(/security check \(3-D Secure\) was not completed, so the \$40\.00 was not charged/);
  expect(refusal.textContent).toMatch(/Your trip keeps its original flights/);
  expect(screen.queryByRole("dialog")).toBeNull();
  expect(screen.getByRole("button", { name: "Search again" })).toBeTruthy();
});

it("keeps the bank's page past the offer's expiry: a change confirmed at the bank is no longer quoted", async () => {
  server.answers = [[202, waiting]];
  vi.useFakeTimers({ shouldAdvanceTime: true });
  try {
    confirmed(() => undefined);
    await screen.findByRole("dialog", { name: "Confirm with your bank" });
    await act(async () => {
      vi.advanceTimersByTime(700_000); // past `expires_at`
      await Promise.resolve();
    });
    expect(screen.getByRole("dialog", { name: "Confirm with your bank" })).toBeTruthy();
    expect(screen.queryByText(/These change offers have expired/)).toBeNull();
  } finally {
    vi.useRealTimers();
  }
});

// The trip page opened again while a change waits for the bank (the order's change_next_action).
const trip = {
  id: "ord_1", status: "confirmed", payment_status: "paid", slices: [], passengers: [],
  change_next_action: { change_offer_id: "och_1", slice_index: 1, url: BANK, type: "redirect_to_url" },
} as unknown as Order;

function tripShown(client = new QueryClient(), shown: Order = trip) {
  signInForTest();
  render(
    <QueryClientProvider client={client}>
      <MemoryRouter>
        <ChangeBankNotice order={shown} />
      </MemoryRouter>
    </QueryClientProvider>,
  );
}

it("asks once on arrival, then offers the bank's page of a change still waiting, closed until asked for", async () => {
  server.answers = [[202, waiting]];
  tripShown();
  const left = await screen.findByText(/^Your bank has not confirmed your flight change yet, so the change is not done/);
  expect(left.textContent).toMatch(/nothing has been charged: your trip keeps the flights shown\./);
  expect(server.asked).toEqual(["POST /v1/orders/ord_1/changes/och_1/confirm {}"]); // no card
  expect(screen.queryByRole("dialog")).toBeNull();
  fireEvent.click(screen.getByRole("button", { name: "Confirm with your bank" }));
  expect(screen.getByTitle("Your bank’s page").getAttribute("src")).toBe(BANK);
  server.answers = [[200, { ...waiting, status: "confirmed", next_action: null }]];
  await bankAnswers();
  await vi.waitFor(() => expect(server.asked).toHaveLength(2));
});

it("reads the trip again once the change is done or declined: its last change says how it ended", async () => {
  const client = new QueryClient();
  const refreshed = vi.spyOn(client, "invalidateQueries");
  server.answers = [[409, { type: "https://skyfare.dev/problems/conflict", status: 409, failure_code: "card_declined" }]];
  tripShown(client);
  await vi.waitFor(() => expect(refreshed).toHaveBeenCalledWith({ queryKey: ["orders"] }));
});

it("frames no bank's page that is not a web address: the trip says the change waits, and offers no page", async () => {
  const unshowable = { ...trip, change_next_action: { ...trip.change_next_action, url: "javascript:alert(1)" } } as Order;
  server.answers = [[503, { type: "about:blank", status: 503 }]]; // the check on arrival tells nothing
  tripShown(new QueryClient(), unshowable);
  await vi.waitFor(() => expect(server.asked).toHaveLength(1));
  await screen.findByText(/waits for your bank\./);
  await vi.waitFor(() => expect(screen.queryByText("Checking with your bank…")).toBeNull());
  expect(screen.queryByRole("button", { name: "Confirm with your bank" })).toBeNull();
  expect(screen.queryByTitle("Your bank’s page")).toBeNull();
});

const givenUp = { ...waiting, status: "failed", next_action: null, failure_code: "given_up", order };

it("gives up a change whose bank's page was closed: the charge canceled, back to the trip", async () => {
  server.answers = [[202, waiting], [200, givenUp]];
  const onChanged = vi.fn();
  confirmed(onChanged);
  const dialog = await screen.findByRole("dialog", { name: "Confirm with your bank" });
  // Was: no way out but the bank's page, and no other change for up to 30 minutes.
  expect(screen.queryByRole("button", { name: "Give up this change" })).toBeNull(); // the page is open
  act(() => void dialog.dispatchEvent(new Event("close")));
  fireEvent.click(screen.getByRole("button", { name: "Give up this change" }));
  await vi.waitFor(() => expect(onChanged).toHaveBeenCalledWith(expect.objectContaining({ failure_code: "given_up" })));
  expect(server.asked[1]).toBe("POST /v1/orders/ord_1/changes/och_1/cancel ");
});

it("offers to give up a change waiting at the bank on the trip, then reads the trip anew", async () => {
  const client = new QueryClient();
  const refreshed = vi.spyOn(client, "invalidateQueries");
  server.answers = [[202, waiting]];
  tripShown(client);
  await screen.findByText(/^Your bank has not confirmed your flight change yet/);
  refreshed.mockClear();
  server.answers = [[200, givenUp]];
  fireEvent.click(screen.getByRole("button", { name: "Give up this change" }));
  await vi.waitFor(() => expect(refreshed).toHaveBeenCalledWith({ queryKey: ["orders"] }));
  expect(server.asked).toEqual(["POST /v1/orders/ord_1/changes/och_1/confirm {}", "POST /v1/orders/ord_1/changes/och_1/cancel "]);
});

const held = { type: "https://skyfare.dev/problems/conflict", status: 409, in_progress: true };

it("says the bank's answer is being checked when the change is held on arrival, and checks again", async () => {
  server.answers = [[409, held]];
  tripShown();
  // Was: nothing at all was said of the 409.
  expect((await screen.findByText(/being checked/)).textContent).toBe("Your bank’s answer is being checked — try again in a moment. Check again");
  server.answers = [[202, waiting]];
  fireEvent.click(screen.getByRole("button", { name: "Check again" }));
  await vi.waitFor(() => expect(server.asked).toHaveLength(2));
  await screen.findByText(/^Your bank has not confirmed your flight change yet/);
});

it("says a give-up met while the change is held as a check under way, nothing changed", async () => {
  server.answers = [[202, waiting], [409, held]];
  tripShown();
  await screen.findByText(/^Your bank has not confirmed your flight change yet/);
  fireEvent.click(screen.getByRole("button", { name: "Give up this change" }));
  // The alert is there, empty, from the start: wait for its words, not for it.
  await vi.waitFor(() => expect(screen.getByRole("alert").textContent).toBe("Your bank’s answer is being checked — try again in a moment."));
});
