import type { Explained } from "./problems";

/**
 * Why choosing seats was refused, in the traveler's words with a next step, written once here and
 * chosen by the 409's `refusal` (booking/seat_refusals.py, docs/api.md "Seats"): the problem's
 * `detail` is our English sentence for people, never the message. `seat_taken` is worded by the
 * seats it names (lib/problems); `order_closed`, and a refusal this app does not know yet, by the
 * screen's own "seats closed" words (lib/problems SEATS_CLOSED, SEATS_CLOSED_ON_TRIP).
 */
const REFUSALS: Record<string, Explained> = {
  payment_in_progress: {
    message: "Your payment for this trip is still being taken, so seats cannot be chosen just now.",
    next: "Nothing was changed. Once the payment has gone through, choose seats from your trip.",
  },
  order_changed: {
    message: "Your trip changed while your seats were being saved (it was paid, cancelled or changed elsewhere), so they were not saved.",
    next: "Nothing was charged. Look at your trip as it is now, then choose seats again.",
  },
  seat_charge_in_progress: {
    message: "Your last seat change is still being paid for.",
    next: "Nothing was changed. Wait a moment until it has gone through, then look at your seats again.",
  },
  seats_not_sold: {
    message: "This airline does not sell seats through Skyfare.",
    next: "Nothing was changed: the airline gives you seats at check-in.",
  },
  seat_payments_unavailable: {
    message: "Seats that cost more cannot be paid for here just now.",
    next: "Nothing was changed. Choose a seat that costs no more than the one you have, or ask the airline at check-in.",
  },
};

/** A seat refusal's words, by the problem's `refusal`; null for one the screen words itself. */
export function seatRefusal(refusal: unknown): Explained | null {
  return typeof refusal === "string" ? (REFUSALS[refusal] ?? null) : null;
}
