import type { Schemas } from "./api/client";

export type FailureCode = NonNullable<Schemas["HistoryDetails"]["failure_code"]>;

/** For tests: each failure the API words for a change (booking/changes.py, change_money.py,
 * change_compensation.py, change_airline.py) as its sentence, with the code it sends beside it
 * and a declined card's code. */
export const FAILURES: [FailureCode, string, string | null][] = [
  ["card_declined", "the card payment of 40.00 USD failed (insufficient_funds); the airline put the original flights back", "insufficient_funds"],
  ["card_not_charged", "the card payment of 40.00 USD was never made; the airline put the original flights back", null],
  ["refund_not_possible", "the 40.00 USD cannot be given back: the order's charges hold 12.00 USD; the airline put the original flights back", null],
  ["order_moved", "the order changed while the change was confirmed; nothing was changed", null],
  ["airline_refused", "the airline refused to change the flights: sold out", null],
  ["fare_not_changeable", "the airline says this fare does not allow changes: basic economy", null],
  ["change_unsupported", "the airline of this order (rest-airline) does not support changes through Skyfare; contact support to change it", null],
  ["given_up", "the traveler gave the change up while their bank asked them to confirm the card payment of 40.00 USD; nothing was charged; the airline put the original flights back", null],
  [
    "airline_kept_new_flights",
    "the card payment of 40.00 USD failed (do_not_honor); the airline refused to undo the change: sold out: the airline's booking keeps the new flights, unpaid, and support settles it with the traveler",
    "do_not_honor",
  ],
];
