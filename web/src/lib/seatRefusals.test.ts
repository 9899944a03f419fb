import { describe as suite, expect, it } from "vitest";

import { describe, SEATS_CLOSED, SEATS_CLOSED_ON_TRIP } from "./problems";

// Each 409 of choosing seats as the API answers it (booking/seat_refusals.py), its `type` made
// the screen's "seats closed" by the seat step (a 409 naming no seat), its `detail` our English.
const REFUSED: [string, string][] = [
  ["payment_in_progress", "seats can be chosen on a held or confirmed order, not one held with payment processing"],
  ["order_changed", "the order changed meanwhile (it is confirmed, payment paid); seats not chosen: look at the order and choose again"],
  ["seat_charge_in_progress", "a seat change of this order is being paid; wait for it"],
  ["seats_not_sold", "this airline sells no seats through Skyfare"],
  ["seat_payments_unavailable", "paid seat changes need payments, not enabled on this deployment"],
];

const closed = (type: string, refusal: string, detail = "") => ({ type: `https://skyfare.dev/problems/${type}`, status: 409, refusal, detail });

suite("a seat refusal", () => {
  it.each(REFUSED)("words %s by its refusal with a next step, never in the API's detail", (refusal, detail) => {
    for (const type of [SEATS_CLOSED, SEATS_CLOSED_ON_TRIP]) {
      const words = describe(closed(type, refusal, detail), "trip", "seats");
      expect(words).not.toEqual(describe({ type: `https://skyfare.dev/problems/${type}` }));
      expect(`${words.message} ${words.next}`).not.toContain(detail);
      expect(`${words.message} ${words.next}`).not.toMatch(/_|order's|deployment/);
      expect(words.next).toMatch(/\.$/);
    }
  });

  it("tells a trip that is being paid to wait for the payment, not that its seats are closed", () => {
    const words = describe(closed(SEATS_CLOSED_ON_TRIP, "payment_in_progress"), "trip", "seats");
    expect(words.message).toBe("Your payment for this trip is still being taken, so seats cannot be chosen just now.");
    expect(words.next).toMatch(/Once the payment has gone through/);
  });

  it("leaves a closed order, and a refusal it does not know yet, to the screen's seats-closed words", () => {
    for (const refusal of ["order_closed", "some_new_refusal"]) {
      expect(describe(closed(SEATS_CLOSED_ON_TRIP, refusal))).toEqual(describe({ type: `https://skyfare.dev/problems/${SEATS_CLOSED_ON_TRIP}` }));
      expect(describe(closed(SEATS_CLOSED, refusal))).toEqual(describe({ type: `https://skyfare.dev/problems/${SEATS_CLOSED}` }));
    }
  });

  it("still names a taken seat by the seats the problem names", () => {
    const taken = { ...closed("conflict", "seat_taken"), seats: ["14C"] };
    expect(describe(taken).message).toBe("Another traveler has just taken that seat.");
  });
});
