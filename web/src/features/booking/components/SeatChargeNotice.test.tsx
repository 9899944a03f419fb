// @vitest-environment jsdom
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { act, cleanup, fireEvent, render, screen, within } from "@testing-library/react";
import { afterEach, expect, it, vi } from "vitest";

import { type OrderSeats, type SeatCharge, seatKeys } from "../../seats";
import { SeatChargeNotice } from "./SeatChargeNotice";

afterEach(cleanup);

const ORDER = "ord_0123456789abcdef01234567";

function shown(charge: SeatCharge) {
  // The order's seats as the API answered them, already in the cache: nothing is fetched.
  const client = new QueryClient({ defaultOptions: { queries: { staleTime: Infinity, retry: false } } });
  const seats: OrderSeats = { order_id: ORDER, total_amount: "612.40", total_currency: "USD", seats: [], seat_charge: charge };
  client.setQueryData(seatKeys.order(ORDER), seats);
  render(
    <QueryClientProvider client={client}>
      <SeatChargeNotice orderId={ORDER} />
    </QueryClientProvider>,
  );
}

const charge = (change: Partial<SeatCharge>): SeatCharge => ({
  id: "sch_0123456789abcdef01234567",
  status: "failed",
  amount: "45.00",
  currency: "USD",
  seats: [],
  ...change,
});

it("says why a seat change's card was declined, by its decline_code, the code kept for support", () => {
  shown(charge({ decline_code: "insufficient_funds" }));
  const notice = screen.getByRole("status");
  expect(screen.getByText(/^The card has too little money available, so the \$45\.00 was not charged\. Your seats did not change\./)).toBeTruthy();
  expect(notice.textContent?.match(/insufficient_funds/g)).toHaveLength(1);
  expect(screen.getByText(/Code for support/).textContent).toBe("Code for support: insufficient_funds");
});

it("says a decline without a code plainly, with no code line", () => {
  shown(charge({ decline_code: null }));
  expect(screen.getByText("The card payment did not go through, so the $45.00 was not charged. Your seats did not change. Try another card.")).toBeTruthy();
  expect(screen.queryByText(/Code for support/)).toBeNull();
});

const SEAT = { segment_id: "seg_QUEyMzc6TEhSSkZLOjIwMjctMDEtMTY", passenger_id: "pas_1", designator: "12H", total_amount: "45.00", total_currency: "USD" };

function shownWith(charge: SeatCharge, held: OrderSeats["seats"]) {
  const client = new QueryClient({ defaultOptions: { queries: { staleTime: Infinity, retry: false } } });
  client.setQueryData(seatKeys.order(ORDER), { order_id: ORDER, total_amount: "612.40", total_currency: "USD", seats: held, seat_charge: charge });
  render(
    <QueryClientProvider client={client}>
      <SeatChargeNotice orderId={ORDER} />
    </QueryClientProvider>,
  );
  return client;
}

it("says a seat change was charged while the trip still holds the seats it bought", () => {
  shownWith(charge({ status: "succeeded", seats: [SEAT] }), [SEAT]);
  expect(screen.getByText("Your new seats are confirmed: $45.00 was charged to your card.")).toBeTruthy();
});

it("no longer says the new seats are confirmed once a flight change released them", () => {
  // The walk: 12H bought for $45, then the flight changed and its seats were released; the trip
  // said "No seats chosen" and, under it, "Your new seats are confirmed".
  shownWith(charge({ status: "succeeded", seats: [SEAT] }), []);
  expect(screen.queryByRole("status")).toBeNull();
});

// The trip's history as the page keeps it; `answerSettledSeats` then answers the order's seats
// with the 12H bought, its charge succeeded.
const HISTORY = ["orders", "history", ORDER, "confirmed", "paid", "2026-12-07T06:46:59Z"];

async function answerSettledSeats(client: QueryClient): Promise<void> {
  client.setQueryData(HISTORY, { order_id: ORDER, data: [] });
  await act(async () => {
    const settled = charge({ status: "succeeded", seats: [SEAT] });
    client.setQueryData(seatKeys.order(ORDER), { order_id: ORDER, total_amount: "612.40", total_currency: "USD", seats: [SEAT], seat_charge: settled });
    await Promise.resolve();
  });
}

it("asks the trip's history again when a paid seat change settles (the order's updated_at does not move)", async () => {
  const client = shownWith(charge({ status: "processing", seats: [SEAT] }), []);
  await answerSettledSeats(client);
  await vi.waitFor(() => expect(client.getQueryState(HISTORY)?.isInvalidated).toBe(true));
});

it("asks the trip's history again when the charge is found settled already, after the seats shown before", async () => {
  // The gateway settled it before the page asked again: "processing" was never seen here.
  const client = shownWith(charge({ id: "sch_earlier000000000000000000", status: "succeeded", seats: [] }), []);
  await answerSettledSeats(client);
  await vi.waitFor(() => expect(client.getQueryState(HISTORY)?.isInvalidated).toBe(true));
});

it("does not ask the history again for the charge the page found on opening", async () => {
  const client = shownWith(charge({ status: "succeeded", seats: [SEAT] }), [SEAT]);
  await answerSettledSeats(client);
  expect(client.getQueryState(HISTORY)?.isInvalidated).toBe(false);
});

// A seat change bought with a card whose bank asks the traveler to confirm (3-D Secure): the
// charge's answer named the bank's page, which the trip shows in the payment's dialog.
const BANK = "http://127.0.0.1:9100/payments/challenge/pi_1";

function atTheBank(status: SeatCharge["status"] = "processing") {
  const client = new QueryClient({ defaultOptions: { queries: { staleTime: Infinity, retry: false } } });
  const seats: OrderSeats = {
    order_id: ORDER,
    total_amount: "612.40",
    total_currency: "USD",
    seats: [],
    seat_charge: charge({ status, seats: [SEAT] }),
  };
  client.setQueryData(seatKeys.order(ORDER), seats);
  render(
    <QueryClientProvider client={client}>
      <SeatChargeNotice orderId={ORDER} bank={BANK} />
    </QueryClientProvider>,
  );
  return client;
}

it("shows the bank's page of a seat change's charge in the payment's dialog while it waits", () => {
  atTheBank();
  const dialog = screen.getByRole("dialog", { name: "Confirm with your bank" });
  expect(within(dialog).getByTitle("Your bank’s page").getAttribute("src")).toBe(BANK);
  expect(screen.getByText("Your bank asks you to confirm the $45.00 for your new seats.")).toBeTruthy();
});

it("says the seat change is not done and nothing was charged once the bank's page is closed, and opens it again", () => {
  atTheBank();
  // jsdom has no modal dialogs: the `close` event is what Close and Escape end in, in a browser.
  act(() => void screen.getByRole("dialog").dispatchEvent(new Event("close")));

  expect(screen.queryByRole("dialog")).toBeNull();
  expect(screen.getAllByRole("status").map((line) => line.textContent)).toEqual([
    "You closed your bank’s page before confirming, so your seat change is not done and nothing has been charged. Confirm with your bank to finish it.",
  ]);
  expect(screen.queryByText(/Charging/)).toBeNull();
  // The line takes the focus: it is far below the trip's heading, which does not change.
  expect(document.activeElement).toBe(screen.getByRole("status"));
  fireEvent.click(screen.getByRole("button", { name: "Confirm with your bank" }));
  expect(screen.getByRole("dialog", { name: "Confirm with your bank" })).toBeTruthy();
});

it("asks for the seats again once the bank's page sends its frame back", () => {
  const client = atTheBank();
  const frame = screen.getByTitle("Your bank’s page");
  fireEvent.load(frame); // the bank's page itself
  expect(client.getQueryState(seatKeys.order(ORDER))?.isInvalidated).toBe(false);
  fireEvent.load(frame); // /bank-return, after Complete or Fail
  expect(client.getQueryState(seatKeys.order(ORDER))?.isInvalidated).toBe(true);
});

it("drops the bank's dialog once the charge is settled and says the outcome", async () => {
  const client = atTheBank();
  await answerSettledSeats(client);
  expect(await screen.findByText("Your new seats are confirmed: $45.00 was charged to your card.")).toBeTruthy();
  expect(screen.queryByRole("dialog")).toBeNull();
  // The outcome takes the focus the dialog had: the trip's heading, far above it, does not change.
  expect(document.activeElement).toBe(screen.getByRole("status"));
});

it("gives the outcome the focus the closed bank's line had when the charge settles", async () => {
  const client = atTheBank();
  act(() => void screen.getByRole("dialog").dispatchEvent(new Event("close")));
  screen.getByRole("button", { name: "Confirm with your bank" }).focus(); // gone with the charge
  await answerSettledSeats(client);
  expect(await screen.findByText(/Your new seats are confirmed/)).toBeTruthy();
  expect(document.activeElement).toBe(screen.getByRole("status"));
});

it("leaves the focus the traveler put elsewhere when a charge waiting for the bank settles", async () => {
  const elsewhere = document.body.appendChild(document.createElement("button"));
  try {
    const client = atTheBank();
    act(() => void screen.getByRole("dialog").dispatchEvent(new Event("close")));
    elsewhere.focus();
    await answerSettledSeats(client);
    expect(await screen.findByText(/Your new seats are confirmed/)).toBeTruthy();
    expect(document.activeElement).toBe(elsewhere);
  } finally {
    elsewhere.remove();
  }
});

it("shows no bank's page for a charge already settled when the trip opens", () => {
  atTheBank("failed");
  expect(screen.queryByRole("dialog")).toBeNull();
  expect(screen.getByText(/Your seats did not change/)).toBeTruthy();
});

it("offers the bank's page again, closed, for a charge still waiting for the bank when the trip is reloaded", () => {
  // No `bank` from the seat screen: the charge's own `next_action` (its GET) names the page.
  shown(charge({ status: "processing", seats: [SEAT], next_action: { type: "redirect_to_url", url: BANK } }));

  expect(screen.queryByRole("dialog")).toBeNull();
  expect(screen.queryByText(/Charging/)).toBeNull();
  expect(screen.getAllByRole("status").map((line) => line.textContent)).toEqual([
    "Your bank has not confirmed this seat change yet, so your seat change is not done and nothing has been charged. Confirm with your bank to finish it.",
  ]);
  fireEvent.click(screen.getByRole("button", { name: "Confirm with your bank" }));
  const dialog = screen.getByRole("dialog", { name: "Confirm with your bank" });
  expect(within(dialog).getByTitle("Your bank’s page").getAttribute("src")).toBe(BANK);
  act(() => void dialog.dispatchEvent(new Event("close")));
  expect(screen.getByText(/^You closed your bank’s page before confirming/)).toBeTruthy();
});

it("never frames a charge's next_action that is not a web address", () => {
  shown(charge({ status: "processing", seats: [SEAT], next_action: { type: "redirect_to_url", url: "javascript:alert(1)" } }));
  expect(screen.queryByRole("button", { name: "Confirm with your bank" })).toBeNull();
  expect(screen.getByText("Charging $45.00 to your card for your new seats…")).toBeTruthy();
});

it("says a charge the gateway is charging (no bank's page) is being charged", () => {
  shown(charge({ status: "processing", seats: [SEAT], next_action: null }));
  expect(screen.getByText("Charging $45.00 to your card for your new seats…")).toBeTruthy();
  expect(screen.queryByRole("button")).toBeNull();
});

it("says a seat change left waiting for the bank too long was canceled, in a seat change's words", () => {
  shown(charge({ decline_code: "canceled" }));
  expect(
    screen.getByText(
      "Your bank’s confirmation did not come in time, so the seat change was canceled and the $45.00 was not charged. Your seats did not change. Choose your seats again to try once more.",
    ),
  ).toBeTruthy();
  expect(screen.queryByText(/Pay now/)).toBeNull();
});
