import type { Schemas } from "../../lib/api/client";
import { changeFailure, unnamedFailure } from "../../lib/changeFailures";
import { cardCode, decline } from "../../lib/declines";
import { localDate, money } from "../../lib/format";

/** The API's history steps in the words of the trip's timeline, chosen by each step's `code` and
 * read from its fields (`details`, a declined card's `decline_code`, the actor), never from the
 * reason's text: that is our sentence for people, shown as written (without our ids) for a code
 * this app does not know yet, for none, or when the API could not read its details. Nothing is
 * dropped but our own ids: each amount, where money went and why a card or a refund was refused
 * stay; what is for support rather than the traveler (a gateway's code, an airline's own words)
 * is kept apart as `support`. */

type HistoryItem = Schemas["HistoryItem"];
type Details = Schemas["HistoryDetails"];

/** What a step says, in the traveler's words. `title` replaces the step's own title (a note
 * that moved no status: a refund owed, a flight changed); `money` marks Skyfare's own handling of
 * the traveler's money (a refund), whoever's request it ran in. */
export interface Words {
  title?: string;
  text: string | null;
  tone?: "done" | "ended" | "progress" | "problem";
  money?: boolean;
  /** Who, when a refund followed something other than a cancellation the traveler asked for
   * (their flight change): "Skyfare, after you changed your flight". */
  after?: string;
  /** For Skyfare support, quoted as sent beside the text: "Code for support: do_not_honor". */
  support?: Support;
}

export interface Support {
  label: string;
  text: string;
}

/** A rule's words; `text: undefined` when the details it needs are not there (the reason as
 * written instead). */
type Worded = Omit<Words, "text"> & { text?: string | null };
type Rule = (details: Details, item: HistoryItem) => Worded;

const cap = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
const forSupport = (code: string | null | undefined): Support | undefined => (code ? { label: "Code for support", text: code } : undefined);

// What each amount had paid for (booking/history_details.py `charge`).
const CHARGES: Record<Schemas["HistoryAmount"]["charge"], string> = {
  booking: "your booking",
  flight_change: "a flight change",
  seats: "new seats",
  other: "a payment",
};

/** `"$80.00 for a flight change and $9.28 for your booking"`; undefined for none. */
function amountWords(amounts: Details["amounts"] = []): string | undefined {
  const parts = amounts.map((a) => `${money(a.amount, a.currency)} for ${CHARGES[a.charge]}`);
  if (parts.length === 0) return undefined;
  return parts.length === 1 ? parts[0] : `${parts.slice(0, -1).join(", ")} and ${parts.at(-1)}`;
}

/** A payment the card gateway declined, by its code: words, and the code for support. */
function declined(code: string | null | undefined): Words {
  return { text: `${decline(code).message} Nothing was charged.`, support: forSupport(code) };
}

/** Why a flight change failed, in the words the change flow uses (lib/changeFailures), chosen by
 * the step's `failure_code` and `decline_code`; one without a code (a reason of a shape the API
 * could not name) gets those words' general sentence, its note kept for support. */
function changeFailed(details: Details, item: HistoryItem): Worded {
  const failed = { failure_code: details.failure_code, decline_code: item.decline_code, detail: details.note };
  const words = changeFailure(failed) ?? unnamedFailure(failed);
  return { title: "Flight change not made", tone: "problem", text: words.text, support: words.support ?? undefined };
}

// What each seat of a request that both chose and replaced seats was: new, in place of another,
// or asked again as held.
function seatWords(seats: Details["seats"] = []): string | undefined {
  if (seats.length === 0) return undefined;
  return seats
    .map((seat) => {
      const was = seat.change === "chosen" ? " (new)" : seat.change === "kept" ? " (unchanged)" : seat.change === "replaced" ? ` (was ${seat.replaced ?? "another seat"})` : "";
      return `${seat.designator} for ${seat.passenger}${was}`;
    })
    .join(", ");
}

/** `Flight 1 is now LHR → JFK on Sat 6 Feb 2027 (AA237 at 17:45); seat 14C was released` (two:
 * `seats 14C, 14D were released`). */
export function flightWords(flight: Details["flight"]): string | undefined {
  if (!flight) return undefined;
  const { slice, origin, destination, departure_date, departure_time, flights, released_seats = [] } = flight;
  const released =
    released_seats.length === 1
      ? `; seat ${released_seats[0]} was released`
      : released_seats.length > 1
        ? `; seats ${released_seats.join(", ")} were released`
        : "";
  return `Flight ${slice} is now ${origin} → ${destination} on ${localDate(departure_date)} (${flights.join(", ")} at ${departure_time})${released}`;
}

// What a refund followed, as payment/cancellation_refunds.py words it: "the flight change och_…
// cost 110.20 USD less" (a cheaper flight), "the flight change och_… was not made".
const FLIGHT_CHANGE_NOTE = /^the flight change [a-z]{2,4}_[0-9a-z]+ /;

/** Why a refund was made, in the traveler's words: without our ids, and a cheaper flight as
 * such (the amount is already said beside it, in the trip's currency). */
function refundCause(note: string): string {
  if (FLIGHT_CHANGE_NOTE.test(note) && / less$/.test(note)) return "your new flight costs less";
  return note
    .replace(/^the order was /, "booking ")
    .replace(/\s*\b[a-z]{2,4}_[0-9a-z]+\b/g, "")
    .trim();
}

const silent: Rule = () => ({ text: null });
const said = (text: string): Rule => () => ({ text });

// By the API's `code` (booking/history_codes.py), from the step's fields.
const RULES: Record<NonNullable<HistoryItem["code"]>, Rule> = {
  created: silent,
  payment_started: silent,
  ticketed: silent,
  held: silent,
  payment_captured: silent,
  cancelled_by_traveler: silent,
  cancelled_by_support: said("Cancelled for you by Skyfare support"),
  cancelled_as_quoted: (_, item) => ({
    text: item.actor.type === "support" ? "Cancelled by Skyfare support on the terms you were quoted" : "On the terms you were quoted",
  }),
  card_refused: (_, item) => declined(item.decline_code),
  payment_failed: (_, item) => declined(item.decline_code),
  captured_after_end: said("Your card was charged after the booking had ended: the money goes back to your card."),
  found_by_reconciler: ({ note }) => ({ text: note ? `${cap(note.replace(/^the /, ""))}: found by our checks with the airline` : undefined }),
  released_unpaid: said("Not paid by the deadline, so the airline released the seats"),
  // The airline's own words are for support: travelers get what happened and what we did.
  ticketing_failed_refunded: ({ note }) => ({
    text: "The airline could not issue your tickets, so your payment was refunded in full",
    money: true,
    support: note ? { label: "The airline said", text: note } : undefined,
  }),
  ticketing_failed: said("The airline could not issue the tickets"),
  airline_refused: ({ note }) => ({ text: note ? `The airline refused ${note}` : undefined, tone: "problem" }),
  refund_owed: ({ amounts }) => {
    const what = amountWords(amounts);
    return { title: "Refund on its way", text: what && `${cap(what)}, back to your card`, tone: "progress", money: true };
  },
  // Why the gateway refused: the step's `decline_code` (booking/sql/0143).
  refund_retrying: ({ amounts }, item) => {
    const what = amountWords(amounts);
    const why = item.decline_code ? ` (${cardCode(item.decline_code)})` : "";
    return {
      title: "Refund delayed",
      text: what && `The card payment service did not accept the refund of ${what}${why}. We are trying again: you need do nothing.`,
      tone: "problem",
      money: true,
    };
  },
  nothing_to_refund: ({ note }) => ({ text: note ? `Nothing to refund: ${note}` : undefined, money: true }),
  // A refund that moved no status (a cheaper flight change's difference) is titled here: its
  // sentence stood as the title, with our change's id and "110.20 USD" in it.
  refunded: ({ amounts, note }) => {
    const what = amountWords(amounts);
    const after = note ? ` (${refundCause(note)})` : "";
    const changed = !!note && FLIGHT_CHANGE_NOTE.test(note);
    return {
      title: "Refunded",
      text: what && `${cap(what)}, back to your card${after}`,
      tone: "done",
      money: true,
      after: changed ? "Skyfare, after you changed your flight" : undefined,
    };
  },
  // Its amounts since payment/sql/0215; a step written before has none.
  refunded_by_gateway: ({ amounts }) => {
    const what = amountWords(amounts);
    return { text: what ? `${cap(what)}, given back by the card payment service` : "Refunded by the card payment service", money: true };
  },
  late_payment_refunded: () => ({
    // A payment given up (the traveler was told it failed) or no longer wanted: the booking may
    // still be held, waiting for another card, so this does not say it ended.
    title: "Late payment refunded",
    text: "Your card was charged after we had stopped waiting for that payment, so all of it went back to your card",
    tone: "done",
    money: true,
  }),
  flight_changed: ({ flight }) => ({ title: "Flight changed", text: flightWords(flight), tone: "done" }),
  change_failed: changeFailed,
  seat_change_refunded: ({ note }) => ({
    title: "Seat change not made",
    text: note ? `${cap(note)}; the seat charge went back to your card` : undefined,
    tone: "problem",
    money: true,
  }),
  // A first choice (no seat held there before) and a change; entries written before the two were
  // told apart (booking/sql/0148) are all `seats_changed`.
  seats_chosen: ({ seats }) => ({ title: "Seats chosen", text: seatWords(seats), tone: "done" }),
  // One request that did both (booking/seat_history.py): each seat says which it was.
  seats_chosen_and_changed: ({ seats }) => ({ title: "Seats chosen and changed", text: seatWords(seats), tone: "done" }),
  seats_changed: ({ seats }) => ({ title: "Seats changed", text: seatWords(seats), tone: "done" }),
  name_corrected: ({ name }) => ({ title: "Name corrected", text: name ? `${name.now} (was ${name.was})` : undefined, tone: "done" }),
};

/** A reason as written, without our ids and underscores. */
function asWritten(reason: string): Words {
  const text = reason
    .replace(/\s*\([a-z]{2,4}_[0-9a-z]+\)/g, "")
    .replace(/_/g, " ")
    .trim();
  return { text: text ? cap(text) : null };
}

/** The step in the traveler's words, chosen by its `code`. A code this app does not know yet (a
 * newer API), or none: the reason as written, but for a declined card, told by its
 * `decline_code`. */
export function inWords(item: HistoryItem): Words {
  const rule = item.code ? RULES[item.code] : undefined;
  if (!rule) {
    const refused = item.decline_code && item.to_payment_status === "failed" && item.from_payment_status !== "failed";
    return refused ? declined(item.decline_code) : asWritten(item.reason);
  }
  const words = rule(item.details ?? {}, item);
  return words.text === undefined ? { ...words, text: asWritten(item.reason).text } : { ...words, text: words.text };
}
