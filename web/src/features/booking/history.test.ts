import { describe, expect, it } from "vitest";

import { type HistoryItem, inTellingOrder, lastChangedFlight, stepOf } from "./history";

const item = (change: Partial<HistoryItem>): HistoryItem => ({
  at: "2026-12-04T10:00:00Z",
  from_status: "held",
  to_status: "held",
  from_payment_status: "unpaid",
  to_payment_status: "unpaid",
  reason: "",
  actor: { type: "system", name: "booking" },
  ...change,
});

const cancelled = { from_status: "cancelled", to_status: "cancelled", from_payment_status: "paid", to_payment_status: "paid" } as const;

describe("stepOf", () => {
  it("names a change of the order's status before one of its payment", () => {
    const step = stepOf(item({ from_status: "held", to_status: "confirmed", to_payment_status: "paid", code: "ticketed", reason: "paid and ticketed" }));
    expect(step).toEqual({ title: "Booked and ticketed", reason: null, by: "Skyfare", tone: "done", support: null });
  });

  it("says why a card was refused in words by its decline_code, keeping the code for support", () => {
    const step = stepOf(item({ to_payment_status: "failed", code: "card_refused", decline_code: "gateway_refused",
      reason: "card refused: gateway_refused", actor: { type: "system", name: "webhook" } }));
    expect(step).toMatchObject({ title: "Payment declined", reason: "The card payment service refused the card. Nothing was charged.", tone: "problem",
      support: { label: "Code for support", text: "gateway_refused" } });
    const declined = stepOf(item({ to_payment_status: "failed", code: "payment_failed", decline_code: "generic_decline", reason: "payment failed: generic_decline" }));
    expect(declined.reason).toBe("Your bank declined the card. Nothing was charged.");
    const unknown = stepOf(item({ to_payment_status: "failed", code: "payment_failed", decline_code: "velocity_limit", reason: "payment failed: velocity_limit" }));
    expect(unknown).toMatchObject({ reason: "The card payment did not go through. Nothing was charged.", support: { text: "velocity_limit" } });
  });

  it("reads the decline from its field, not from the reason, and says so plainly without one", () => {
    const step = stepOf(item({ to_payment_status: "failed", code: "payment_failed", decline_code: "expired_card", reason: "payment failed: generic_decline" }));
    expect(step.reason).toBe("The card has expired. Nothing was charged.");
    const none = stepOf(item({ to_payment_status: "failed", code: "payment_failed", decline_code: null, reason: "payment failed: generic_decline" }));
    expect(none).toMatchObject({ reason: "The card payment did not go through. Nothing was charged.", support: null });
  });

  it("tells a ticketing failure in words, the airline's own words kept for support", () => {
    const step = stepOf(item({ from_status: "held", to_status: "cancelled", from_payment_status: "paid", to_payment_status: "paid",
      code: "ticketing_failed_refunded", reason: "ticketing failed after payment (TKT-ERR 7781: fare basis YLOWUS not ticketable); the payment was refunded",
      details: { note: "TKT-ERR 7781: fare basis YLOWUS not ticketable" } }));
    expect(step).toMatchObject({
      title: "Trip cancelled",
      reason: "The airline could not issue your tickets, so your payment was refunded in full",
      support: { label: "The airline said", text: "TKT-ERR 7781: fare basis YLOWUS not ticketable" },
    });
    expect(step.reason).not.toContain("TKT-ERR");
  });

  it("makes a refund owed a step of its own, with each amount and what it paid for", () => {
    const owed = stepOf(item({ ...cancelled, code: "refund_owed", reason: "refund owed: 80.00 USD to och_0123456789abcdef01234567, 9.28 USD to pay_9af57676a918016eea1fb084",
      details: { amounts: [{ amount: "80.00", currency: "USD", charge: "flight_change" }, { amount: "9.28", currency: "USD", charge: "booking" }] } }));
    expect(owed).toEqual({
      title: "Refund on its way",
      reason: "$80.00 for a flight change and $9.28 for your booking, back to your card",
      by: "Skyfare",
      tone: "progress",
      support: null,
    });
  });

  it("says a card payment that came after the booking stopped waiting for it was refunded, whether or not the booking ended", () => {
    const late = stepOf(item({ from_payment_status: "failed", to_payment_status: "failed", code: "late_payment_refunded",
      reason: "the order was no longer waiting for this payment", actor: { type: "system", name: "payments" } }));
    expect(late).toEqual({
      title: "Late payment refunded",
      reason: "Your card was charged after we had stopped waiting for that payment, so all of it went back to your card",
      by: "Skyfare",
      tone: "done",
      support: null,
    });
  });

  it("says a refused refund is retried, and why it was refused, as Skyfare's doing", () => {
    const refused = stepOf(item({ ...cancelled, actor: { type: "traveler" }, code: "refund_retrying", decline_code: "charge_disputed",
      reason: "refund of 89.28 USD to pay_9af57676a918016eea1fb084 refused by the payment gateway (charge_disputed); it is retried",
      details: { amounts: [{ amount: "89.28", currency: "USD", charge: "booking" }] } }));
    expect(refused).toEqual({
      title: "Refund delayed",
      reason: "The card payment service did not accept the refund of $89.28 for your booking (the payment is disputed with your bank). We are trying again: you need do nothing.",
      by: "Skyfare, after you cancelled",
      tone: "problem",
      support: null,
    });
  });

  it("says why a refund was refused by the step's decline_code, never by the reason's text", () => {
    const reason = "refund of 9.28 USD to pay_9af57676a918016eea1fb084 refused by the payment gateway (charge_disputed); it is retried";
    const details = { amounts: [{ amount: "9.28", currency: "USD", charge: "booking" as const }] };
    const byField = stepOf(item({ ...cancelled, code: "refund_retrying", decline_code: "expired_card", reason, details }));
    expect(byField.reason).toBe("The card payment service did not accept the refund of $9.28 for your booking (the card has expired). We are trying again: you need do nothing.");
    const spaced = stepOf(item({ ...cancelled, code: "refund_retrying", decline_code: "Do Not Honor", reason: reason.replace("charge_disputed", "Do Not Honor"), details }));
    expect(spaced.reason).toBe('The card payment service did not accept the refund of $9.28 for your booking (the card payment service said "Do Not Honor"). We are trying again: you need do nothing.');
    const none = stepOf(item({ ...cancelled, code: "refund_retrying", decline_code: null, reason, details }));
    expect(none.reason).toBe("The card payment service did not accept the refund of $9.28 for your booking. We are trying again: you need do nothing.");
  });

  it("gives the refund to Skyfare, not to the traveler whose cancellation ran it", () => {
    const refunded = stepOf(item({ ...cancelled, to_payment_status: "refunded", actor: { type: "traveler" }, code: "refunded",
      reason: "the order was cancelled: refunded 80.00 USD to sch_0123456789abcdef01234567, 9.28 USD to pay_9af57676a918016eea1fb084",
      details: { amounts: [{ amount: "80.00", currency: "USD", charge: "seats" }, { amount: "9.28", currency: "USD", charge: "booking" }], note: "the order was cancelled" } }));
    expect(refunded).toEqual({
      title: "Refunded",
      reason: "$80.00 for new seats and $9.28 for your booking, back to your card (booking cancelled)",
      by: "Skyfare, after you cancelled",
      tone: "ended",
      support: null,
    });
    const later = stepOf(item({ ...cancelled, to_payment_status: "refunded", actor: { type: "system", name: "reconciler" }, code: "refunded",
      reason: "the order was cancelled: refunded 89.28 USD to pay_9af57676a918016eea1fb084" }));
    expect(later.by).toBe("Skyfare");
  });

  it("says how much the card payment service gave back itself, and says it without the amount on a step from before", () => {
    const given = stepOf(item({ ...cancelled, to_payment_status: "refunded", actor: { type: "system", name: "gateway" }, code: "refunded_by_gateway",
      reason: "refunded by the gateway: 612.40 USD to pay_9af57676a918016eea1fb084",
      details: { amounts: [{ amount: "612.40", currency: "USD", charge: "booking" }] } }));
    expect(given.reason).toBe("$612.40 for your booking, given back by the card payment service");
    const before = stepOf(item({ ...cancelled, to_payment_status: "refunded", code: "refunded_by_gateway", reason: "refunded by the gateway", details: null }));
    expect(before.reason).toBe("Refunded by the card payment service");
  });

  it("titles the refund of a cheaper flight change, says why in words and that it followed the change, not a cancellation", () => {
    // Walked: it stood untitled as "$110.20 for a flight change, back to your card (the flight
    // change och_… cost 110.20 USD less)", "· Skyfare, after you cancelled", on a trip never cancelled.
    const confirmed = { from_status: "confirmed", to_status: "confirmed", from_payment_status: "paid", to_payment_status: "paid" } as const;
    const note = "the flight change och_075a4a79fa64fa7c4550f8d3 cost 110.20 USD less";
    const refunded = stepOf(item({ ...confirmed, actor: { type: "traveler" }, code: "refunded",
      reason: `${note}: refunded 110.20 USD to och_35da12cf4498911d3e0d41b9`,
      details: { amounts: [{ amount: "110.20", currency: "USD", charge: "flight_change" }], note } }));
    expect(refunded).toEqual({
      title: "Refunded",
      reason: "$110.20 for a flight change, back to your card (your new flight costs less)",
      by: "Skyfare, after you changed your flight",
      tone: "done",
      support: null,
    });
    const notMade = stepOf(item({ ...cancelled, to_payment_status: "refunded", actor: { type: "traveler" }, code: "refunded",
      reason: "the flight change och_075a4a79fa64fa7c4550f8d3 was not made: refunded 80.00 USD to och_075a4a79fa64fa7c4550f8d3",
      details: { amounts: [{ amount: "80.00", currency: "USD", charge: "flight_change" }], note: "the flight change och_075a4a79fa64fa7c4550f8d3 was not made" } }));
    expect(notMade.reason).toBe("$80.00 for a flight change, back to your card (the flight change was not made)");
  });

  it("gives paid seats to the traveler who chose them, applied by Skyfare once the card was charged", () => {
    // A dearer seat is recorded when its charge settles, by the gateway's webhook: it read
    // "Seats chosen · Skyfare", as if Skyfare had picked the seat.
    const paid = stepOf(item({ from_status: "confirmed", to_status: "confirmed", code: "seats_chosen",
      reason: "seats chosen: 12A (Ada Lovelace)", actor: { type: "system", name: "webhook" } }));
    expect(paid).toMatchObject({ title: "Seats chosen", by: "Skyfare, after you paid" });
    const changed = stepOf(item({ from_status: "confirmed", to_status: "confirmed", code: "seats_changed",
      reason: "seats 12C (Ada Lovelace)", actor: { type: "system", name: "payments" } }));
    expect(changed.by).toBe("Skyfare, after you paid");
    expect(stepOf(item({ code: "seats_chosen", reason: "seats chosen: 12A (Ada Lovelace)", actor: { type: "traveler" } })).by).toBe("You");
  });

  it("says who made the change without naming a support agent", () => {
    expect(stepOf(item({ to_status: "cancelled", actor: { type: "traveler" } })).by).toBe("You");
    expect(stepOf(item({ to_status: "cancelled", actor: { type: "support" } })).by).toBe("Skyfare support");
  });

  it("says a cancellation followed its quote, without the quote's id", () => {
    const mine = stepOf(item({ to_status: "cancelled", actor: { type: "traveler" }, code: "cancelled_as_quoted", reason: "cancelled by traveler as quoted (ocr_0123456789abcdef01234567)" }));
    expect(mine).toMatchObject({ title: "Trip cancelled", reason: "On the terms you were quoted", by: "You" });
    const agents = stepOf(item({ to_status: "cancelled", actor: { type: "support" }, code: "cancelled_as_quoted", reason: "cancelled by support as quoted (ocr_0123456789abcdef01234567)" }));
    expect(agents.reason).toBe("Cancelled by Skyfare support on the terms you were quoted");
    expect(stepOf(item({ to_status: "cancelled", code: "cancelled_by_traveler", reason: "cancelled by traveler" })).reason).toBeNull();
  });

  it("leaves out a reason that only repeats the title", () => {
    expect(stepOf(item({ to_payment_status: "processing", code: "payment_started", reason: "payment started" })).reason).toBeNull();
    expect(stepOf(item({ from_status: "pending", code: "held", reason: "held at the airline" })).reason).toBeNull();
  });

  it("tells a flight change and a seat change as steps, from their fields", () => {
    const confirmed = { from_status: "confirmed", to_status: "confirmed", from_payment_status: "paid", to_payment_status: "paid" } as const;
    const flight = { slice: 1, origin: "LHR", destination: "JFK", departure_date: "2026-12-21", departure_time: "08:25", flights: ["BA117"], released_seats: ["14C"] };
    const changed = stepOf(item({ ...confirmed, code: "flight_changed", details: { flight },
      reason: "slice 1 changed to LHR → JFK on 21 Dec 2026 (BA117 at 08:25); seats 14C released (och_0123456789abcdef01234567)" }));
    expect(changed).toMatchObject({ title: "Flight changed", reason: "Flight 1 is now LHR → JFK on Mon 21 Dec 2026 (BA117 at 08:25); seat 14C was released" });
    const two = stepOf(item({ ...confirmed, code: "flight_changed", details: { flight: { ...flight, released_seats: ["14C", "14D"] } }, reason: "" }));
    expect(two.reason).toBe("Flight 1 is now LHR → JFK on Mon 21 Dec 2026 (BA117 at 08:25); seats 14C, 14D were released");
    const seats = stepOf(item({ ...confirmed, code: "seats_changed", reason: "seats 14C (pas_1), 14D (pas_2)",
      details: { seats: [{ designator: "14C", passenger: "Ada Lovelace" }, { designator: "14D", passenger: "Charles Babbage" }] } }));
    expect(seats).toMatchObject({ title: "Seats changed", reason: "14C for Ada Lovelace, 14D for Charles Babbage" });
    // A first choice (the order had no seats there) is not a change; entries from before keep "changed".
    const first = stepOf(item({ ...confirmed, code: "seats_chosen", reason: "seats chosen: 14C (pas_1)", details: { seats: [{ designator: "14C", passenger: "Ada Lovelace" }] } }));
    expect(first).toMatchObject({ title: "Seats chosen", reason: "14C for Ada Lovelace", tone: "done" });
    // One request choosing one traveler's first seat and replacing another's: said seat by seat.
    const both = stepOf(item({ ...confirmed, code: "seats_chosen_and_changed",
      reason: "seats chosen and changed: 14C (Ada Lovelace) in place of 12A, 14D (Charles Babbage) chosen, 3A (Ada Lovelace) kept",
      details: { seats: [
        { designator: "14C", passenger: "Ada Lovelace", change: "replaced", replaced: "12A" },
        { designator: "14D", passenger: "Charles Babbage", change: "chosen" },
        { designator: "3A", passenger: "Ada Lovelace", change: "kept" },
      ] } }));
    expect(both).toMatchObject({
      title: "Seats chosen and changed",
      reason: "14C for Ada Lovelace (was 12A), 14D for Charles Babbage (new), 3A for Ada Lovelace (unchanged)",
      tone: "done",
    });
  });

  it("shows a reason it does not know as written, without ids or underscores", () => {
    const odd = stepOf(item({ from_status: "held", to_status: "expired", reason: "released_by airline (ord_0123456789abcdef)" }));
    expect(odd).toMatchObject({ title: "Hold ran out", reason: "Released by airline" });
  });

  it("starts the trip with its creation", () => {
    const created = stepOf(item({ from_status: null, to_status: "pending", from_payment_status: null, code: "created", reason: "created" }));
    expect(created).toMatchObject({ title: "Booking started", reason: null });
  });
});

describe("stepOf by code and fields", () => {
  it("reads each detail from the step's fields, never from the reason's text", () => {
    // The reason is our sentence for people and may be reworded: the amounts come from `details`.
    const owed = stepOf(item({ ...cancelled, code: "refund_owed", reason: "refund owed: 1.00 EUR to pay_9af57676a918016eea1fb084",
      details: { amounts: [{ amount: "80.00", currency: "USD", charge: "flight_change" }] } }));
    expect(owed).toMatchObject({ title: "Refund on its way", reason: "$80.00 for a flight change, back to your card", by: "Skyfare" });
    const renamed = stepOf(item({ code: "name_corrected", reason: "passenger 1 name corrected from Ada Lovelace to Ada King",
      details: { name: { passenger: 1, was: "Ada Lovelace", now: "Ada King" } } }));
    expect(renamed).toMatchObject({ title: "Name corrected", reason: "Ada King (was Ada Lovelace)", tone: "done" });
    // Who: by the actor, not by "cancelled by support" in the text.
    const quoted = stepOf(item({ to_status: "cancelled", actor: { type: "traveler" }, code: "cancelled_as_quoted", reason: "cancelled by support as quoted (ocr_1)" }));
    expect(quoted.reason).toBe("On the terms you were quoted");
  });

  it("keeps the code's title and tone when the API could not read the details, showing the reason as written", () => {
    const owed = stepOf(item({ ...cancelled, code: "refund_owed", details: null, reason: "money_back owed to the card (pay_9af57676a918016eea1fb084)" }));
    expect(owed).toEqual({ title: "Refund on its way", reason: "Money back owed to the card", by: "Skyfare", tone: "progress", support: null });
  });

  it("does not let the text pick another kind of step than the code says", () => {
    // "seats …" would read as a seat change; the code says the name was corrected.
    const step = stepOf(item({ code: "name_corrected", reason: "seats 14C (pas_1)" }));
    expect(step).toMatchObject({ title: "Name corrected", reason: "Seats 14C" });
  });

  it("shows the reason as written for a code it does not know, and for none; a declined card by its code", () => {
    const newer = stepOf(item({ code: "baggage_added" as HistoryItem["code"], reason: "seats 14C (pas_1)" }));
    expect(newer).toMatchObject({ title: "Seats 14C", reason: null }); // as written: not read as a seat change
    expect(stepOf(item({ code: "baggage_added" as HistoryItem["code"], reason: "bag_added (ord_0123456789abcdef)" }))).toMatchObject({ title: "Bag added", reason: null });
    const none = stepOf(item({ code: null, decline_code: "insufficient_funds", reason: "card refused: insufficient_funds", to_payment_status: "failed" }));
    expect(none.reason).toBe("The card has too little money available. Nothing was charged.");
    expect(stepOf(item({ code: null, reason: "seats chosen: 14C (pas_1)" }))).toMatchObject({ title: "Seats chosen: 14C", reason: null });
  });
});

describe("lastChangedFlight", () => {
  it("reads the latest flight change's fields, the one a confirmed last_change is", () => {
    const flight = (day: string) => ({ slice: 1, origin: "LHR", destination: "JFK", departure_date: day, departure_time: "08:25", flights: ["BA117"] });
    const first = item({ code: "flight_changed", details: { flight: flight("2026-12-21") } });
    const second = item({ code: "flight_changed", details: { flight: flight("2026-12-23") } });
    const later = item({ code: "seats_changed", details: { seats: [{ designator: "14C", passenger: "Ada Lovelace" }] } });
    expect(lastChangedFlight([first, second, later])?.departure_date).toBe("2026-12-23");
    // A step whose reason the API could not read has no details: nothing to read, not its text.
    expect(lastChangedFlight([first, item({ code: "flight_changed", details: null })])).toBeNull();
    expect(lastChangedFlight(undefined)).toBeNull();
  });
});

describe("inTellingOrder", () => {
  it("tells what the traveler did before what followed from it in the same moment", () => {
    // Walked: "Refund on its way" stood above the "Flight changed" that owed it (one transaction,
    // one timestamp, the refund written first).
    const at = "2026-12-07T06:48:34.530700Z";
    const before = item({ at: "2026-12-07T06:48:17Z", code: "flight_changed", actor: { type: "traveler" } });
    const owed = item({ at, code: "refund_owed", actor: { type: "system", name: "booking" } });
    const changed = item({ at, code: "flight_changed", actor: { type: "traveler" } });
    const refunded = item({ at: "2026-12-07T06:48:34.561028Z", code: "refunded", actor: { type: "traveler" } });
    expect(inTellingOrder([before, owed, changed, refunded]).map((i) => i.code)).toEqual(["flight_changed", "flight_changed", "refund_owed", "refunded"]);
    expect(inTellingOrder([before, owed, changed, refunded])[1]).toBe(changed);
  });
});
