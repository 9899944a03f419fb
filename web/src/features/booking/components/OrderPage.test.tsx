// @vitest-environment jsdom
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { act, cleanup, fireEvent, render, screen, within } from "@testing-library/react";
import { MemoryRouter, Route, Routes } from "react-router";
import { afterEach, expect, it, vi } from "vitest";

import { setSession } from "../../../lib/session";
import { signInForTest } from "../../../lib/testSession";

// The app's client asks same-origin paths and takes `fetch` when it is built (hoisted): the
// order is Ada's paid trip; every list the screen reads beside it (history, seats, cases) is empty.
vi.hoisted(() => {
  const NodeRequest = globalThis.Request;
  globalThis.Request = class extends NodeRequest {
    constructor(input: RequestInfo | URL, init?: RequestInit) {
      super(typeof input === "string" ? new URL(input, globalThis.location.href) : input, init);
    }
  };
  const day = "2027-02-04";
  const order = {
    id: "ord_1",
    offer_id: "off_1",
    booking_reference: "K7Q2MZ",
    status: "confirmed",
    payment_status: "paid",
    payment_required_by: null,
    total_amount: "612.40",
    total_currency: "USD",
    conditions: { refundable: true, changeable: false },
    ticket_numbers: ["125-0000000001"],
    slices: [
      {
        origin: "LHR",
        destination: "JFK",
        duration: "PT8H10M",
        segments: [{ marketing_carrier: "BA", flight_number: "BA117", origin: "LHR", destination: "JFK", departing_at: `${day}T08:25:00`, arriving_at: `${day}T11:35:00`, aircraft: "777", cabin_class: "economy" }],
      },
    ],
    passengers: [{ id: "pas_1", type: "adult", given_name: "Ada", family_name: "Lovelace" }],
    created_at: "2027-01-04T14:05:00Z",
  };
  // ord_2: the same trip flown years ago (its first flight has surely left).
  const flown = "2020-01-04";
  const begun = {
    ...order,
    id: "ord_2",
    slices: order.slices.map((slice) => ({
      ...slice,
      segments: slice.segments.map((segment) => ({ ...segment, departing_at: `${flown}T08:25:00`, arriving_at: `${flown}T11:35:00` })),
    })),
  };
  // ord_3: leaving in 12 hours (as the page reads a local time): within the API's seat cutoff.
  const soon = new Date(Date.now() + 12 * 3_600_000).toISOString().slice(0, 19);
  const closing = {
    ...order,
    id: "ord_3",
    slices: order.slices.map((slice) => ({ ...slice, segments: slice.segments.map((segment) => ({ ...segment, departing_at: soon, arriving_at: soon })) })),
  };
  // ord_6: a flight changed, then the trip cancelled; ord_7: the same change on the trip still to fly.
  const last_change = { id: "och_1", status: "confirmed", detail: "slice 1 changed", at: "2027-01-10T09:00:00Z" };
  const changedThenCancelled = { ...order, id: "ord_6", status: "cancelled", payment_status: "refunded", ticket_numbers: [], last_change };
  const changed = { ...order, id: "ord_7", last_change };
  // ord_4: ord_1 with a 45.00 seat bought after booking (its own card charge: not in
  // total_amount); ord_5: ord_4 cancelled, the seat and part of the fare back to the card.
  const at = "2027-01-04T14:05:00Z";
  const seated = {
    ...order,
    id: "ord_4",
    money: {
      currency: "USD",
      paid_amount: "657.40",
      refunded_amount: "0.00",
      refund_pending_amount: "0.00",
      charges: [
        { id: "pay_1", type: "booking", amount: "612.40", refunded_amount: "0.00", refund_pending_amount: "0.00", created_at: at },
        { id: "sch_1", type: "seats", amount: "45.00", refunded_amount: "0.00", refund_pending_amount: "0.00", created_at: at },
      ],
    },
  };
  const cancelled = {
    ...seated,
    id: "ord_5",
    status: "cancelled",
    payment_status: "refunded",
    money: {
      ...seated.money,
      refunded_amount: "545.00",
      charges: [
        { ...seated.money.charges[0], refunded_amount: "500.00" },
        { ...seated.money.charges[1], refunded_amount: "45.00" },
      ],
    },
  };
  // ord_8: held, its payment waiting for the card's bank to confirm it (3-D Secure).
  const atTheBank = { ...order, id: "ord_8", status: "held", payment_status: "processing", payment_required_by: "2027-01-05T14:05:00Z", ticket_numbers: [] };
  // ord_9: the same, as the API says it (its payment_next_action); ord_10: its card being charged.
  const waiting = { ...atTheBank, id: "ord_9", payment_next_action: { type: "redirect_to_url", url: "http://127.0.0.1:9100/payments/challenge/pi_9" } };
  const charging = { ...atTheBank, id: "ord_10", payment_next_action: null };
  const orders: Record<string, object> = { ord_1: order, ord_2: begun, ord_3: closing, ord_4: seated, ord_5: cancelled, ord_6: changedThenCancelled, ord_7: changed, ord_8: atTheBank, ord_9: waiting, ord_10: charging };
  globalThis.fetch = (input: RequestInfo | URL) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const trip = orders[url.pathname.replace("/v1/orders/", "")];
    if (trip) return Promise.resolve(Response.json(trip));
    return Promise.resolve(Response.json({ order_id: "ord_1", data: [], maps: [], seats: [] }));
  };
});

const { OrderPage } = await import("./OrderPage");

afterEach(() => {
  cleanup();
  setSession(null);
});

function renderTrip(path: string, state?: object) {
  signInForTest();
  render(
    <QueryClientProvider client={new QueryClient({ defaultOptions: { queries: { retry: false } } })}>
      <MemoryRouter initialEntries={[state ? { pathname: path, state } : path]}>
        <Routes>
          <Route path="/trips/:orderId" element={<OrderPage />} />
        </Routes>
      </MemoryRouter>
    </QueryClientProvider>,
  );
}

it("offers to change seats on a trip still to fly, not on one that has surely begun", async () => {
  renderTrip("/trips/ord_1");
  expect(await screen.findByRole("link", { name: "Change seats" })).toBeTruthy();
  cleanup();

  // The API refuses seats within 24 hours of the first flight; cancelling is not offered either.
  renderTrip("/trips/ord_2");
  await screen.findByRole("region", { name: "Passengers" });
  expect(screen.queryByRole("link", { name: "Change seats" })).toBeNull();
  expect(screen.queryByRole("button", { name: /Cancel/ })).toBeNull();
});

it("says seats can no longer be changed within 24 hours of the first flight, as the API refuses them", async () => {
  renderTrip("/trips/ord_3");
  const passengers = await screen.findByRole("region", { name: "Passengers" });
  expect(screen.queryByRole("link", { name: "Change seats" })).toBeNull();
  expect(passengers.textContent).toContain("Seats can no longer be changed here: your first flight leaves within 24 hours.");
});

it("shows a begun trip, not its seat map, at the change-seats address", async () => {
  renderTrip("/trips/ord_2?change=seats");
  expect(await screen.findByRole("region", { name: "Booking" })).toBeTruthy();
  expect(screen.queryByRole("heading", { name: "Change seats" })).toBeNull();
});

it("makes live only the trip's status line, not the box with its reference, links and tickets", async () => {
  renderTrip("/trips/ord_1");
  const booking = await screen.findByRole("region", { name: "Booking" });
  expect(booking.textContent).toContain("K7Q2MZ");
  // A live region is read out whole at each change: the box's reference and ticket numbers
  // were said again whenever the status line moved.
  expect(booking.closest("[aria-live], [role=status], [role=alert]")).toBeNull();
  const status = [...booking.querySelectorAll("[aria-live], [role=status], [role=alert]")];
  expect(status.map((region) => region.textContent)).toEqual(["Paid and ticketed. Total $612.40."]);
});

it("tells a changed flight on a trip still to fly, not under \"This trip is cancelled\"", async () => {
  renderTrip("/trips/ord_7");
  expect(await screen.findByText("Your flight was changed.")).toBeTruthy();
  cleanup();

  // Was: the boxed notice stayed under the cancelled heading, read as news of a trip to fly.
  renderTrip("/trips/ord_6");
  expect(await screen.findByRole("heading", { name: "This trip is cancelled" })).toBeTruthy();
  await screen.findByRole("region", { name: "Passengers" });
  expect(screen.queryByText("Your flight was changed.")).toBeNull();
});

it("totals a paid trip from every card charge, a seat bought after booking included", async () => {
  // The box said the fare alone ("Total $612.40.") after a 45.00 seat was paid for.
  renderTrip("/trips/ord_4");
  const booking = await screen.findByRole("region", { name: "Booking" });
  expect(booking.querySelector("[role=status]")?.textContent).toBe("Paid and ticketed. Total $657.40.");
});

it("says all a cancelled trip was paid, what came back and what the fare kept", async () => {
  // It said "You paid $612.40." (the fare alone) of 657.40 paid.
  renderTrip("/trips/ord_5");
  const booking = await screen.findByRole("region", { name: "Booking" });
  expect(booking.querySelector("[role=status]")?.textContent).toBe(
    "Your refund is complete. You paid $657.40: $545.00 back to your card, $112.40 kept under the fare's conditions.",
  );
});

it("heads a trip whose bank's page was closed unconfirmed by the bank, not as a payment in progress", async () => {
  renderTrip("/trips/ord_8", { paying: true, bank: "http://127.0.0.1:9100/payments/challenge/pi_1" });
  expect(await screen.findByRole("heading", { level: 1, name: "Payment in progress…" })).toBeTruthy();
  const dialog = screen.getByRole("dialog", { name: "Confirm with your bank" });
  // jsdom has no modal dialogs: the `close` event is what Close and Escape end in, in a browser.
  act(() => void dialog.dispatchEvent(new Event("close")));

  expect(screen.getByRole("heading", { level: 1, name: "Confirm the payment with your bank" })).toBeTruthy();
  expect(screen.queryByRole("heading", { name: "Payment in progress…" })).toBeNull();
  expect(screen.getByRole("button", { name: "Pay now" })).toBeTruthy();
  // The hold's deadline is said again (hidden while a payment is taken): a traveler who left the
  // bank's page has until then to confirm or pay, and was told nothing of it.
  const booking = screen.getByRole("region", { name: "Booking" });
  expect(booking.querySelector("time")?.getAttribute("datetime")).toBeTruthy();
  expect(booking.textContent).toContain("to keep these seats.");
});

it("offers a trip whose payment waits for the bank to confirm it there or to use another card, opened from My trips", async () => {
  // No state: the traveler came from My trips (or reloaded), not from paying here.
  renderTrip("/trips/ord_9");
  expect(await screen.findByRole("heading", { level: 1, name: "Confirm the payment with your bank" })).toBeTruthy();
  expect(screen.queryByRole("dialog")).toBeNull(); // nothing opens unasked
  const booking = screen.getByRole("region", { name: "Booking" });
  expect(booking.textContent).toContain("Your bank has not confirmed this payment yet");
  expect(booking.textContent).toContain("to keep these seats.");
  expect(screen.getByRole("link", { name: "Use another card" }).getAttribute("href")).toBe("/book/off_1?order=ord_9&step=pay");
  fireEvent.click(screen.getByRole("button", { name: "Pay now" }));
  const frame = within(screen.getByRole("dialog", { name: "Confirm with your bank" })).getByTitle("Your bank’s page");
  expect(frame.getAttribute("src")).toBe("http://127.0.0.1:9100/payments/challenge/pi_9");
});

it("offers nothing to do while the card is being charged, the bank's page of the payment's answer gone", async () => {
  renderTrip("/trips/ord_10", { paying: true, bank: "http://127.0.0.1:9100/payments/challenge/pi_1" });
  expect(await screen.findByRole("heading", { level: 1, name: "Payment in progress…" })).toBeTruthy();
  expect(screen.queryByRole("dialog")).toBeNull();
  expect(screen.queryByRole("link", { name: "Use another card" })).toBeNull();
});
