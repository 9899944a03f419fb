import type { Schemas } from "../../lib/api/client";
import { afterDecline, cardCode, decline, declineSentence } from "../../lib/declines";
import { isoOfDayWords, localDate, money, sentence } from "../../lib/format";

/** The API's history entries (a `code`, a declined card's `decline_code`, and the reason's text
 * written by booking/ and payment/) in the words of the trip's timeline. Nothing is dropped but
 * our own ids: each amount, where money went and why a card or a refund was refused stay; what is
 * for support rather than the traveler (a gateway's code, an airline's own words) is kept apart as
 * `support`; an unknown reason is shown as written. */

/** What a reason says, in the traveler's words. `title` replaces the step's own title (a note
 * that moved no status: a refund owed, a flight changed); `money` marks Skyfare's own handling of
 * the traveler's money (a refund), whoever's request it ran in. */
export interface Words {
  title?: string;
  text: string | null;
  tone?: "done" | "ended" | "progress" | "problem";
  money?: boolean;
  /** For Skyfare support, quoted as sent beside the text: "Code for support: do_not_honor". */
  support?: Support;
}

export interface Support {
  label: string;
  text: string;
}

/** What a rule reads besides its reason: the order's passengers in order (pas_N), and the step's
 * `decline_code` (the API's field; the reason's text is never searched for it). */
interface Context {
  names: string[];
  declineCode: string | null;
}

// Where money went: `pay_…` the booking's payment, `och_…` a flight change's, `sch_…` a seat's.
const CHARGES: Record<string, string> = { pay: "your booking", och: "a flight change", sch: "new seats" };

/** `"80.00 USD to och_…, 9.28 USD to pay_…"` → `"$80.00 for a flight change and $9.28 for your booking"`. */
export function moneyParts(text: string): string {
  const parts = [...text.matchAll(/(-?\d+(?:\.\d+)?) ([A-Z]{3}) to ([a-z]{2,4})_[0-9a-z]+/g)].map(
    ([, amount = "", currency = "", prefix = ""]) => `${money(amount, currency)} for ${CHARGES[prefix] ?? "a payment"}`,
  );
  if (parts.length === 0) return text;
  return parts.length === 1 ? (parts[0] as string) : `${parts.slice(0, -1).join(", ")} and ${parts.at(-1)}`;
}

const cap = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

// booking/change_store.py's note: "slice 1 changed to LHR → JFK on 21 Dec 2026 (BA117 at 08:25)",
// "; seats 14C released" when the airline let them go; the history's entry ends with the change's id.
// Entries written before the mails' wording was used say the day as "2026-12-21": both read the same.
const FLIGHT_CHANGED = /^slice (\d+) changed to (.*?)(?:; seats (.*) released)?(?: \([a-z]+_[0-9a-z]+\))?$/;
const CHANGED_ON = / on (\d{4}-\d{2}-\d{2}|\d{1,2} [A-Z][a-z]{2} \d{4}) /;

function flightChangedWords([, n = "", to = "", seats]: RegExpMatchArray): string {
  const when = to.replace(CHANGED_ON, (_, day: string) => ` on ${localDate(isoOfDayWords(day) ?? day)} `);
  return `Flight ${n} is now ${when}${seats ? `; seats ${seats} were released` : ""}`;
}

/** A confirmed flight change's `detail` (the order's `last_change`) in the history's words:
 * "Flight 1 is now LHR → JFK on Mon 21 Dec 2026 (BA117 at 08:25)", whichever way its day was written;
 * another text as written. */
export function flightChangeDetail(detail: string): string {
  const found = detail.match(FLIGHT_CHANGED);
  return found ? flightChangedWords(found) : detail;
}

const forSupport = (code: string | null): Support | undefined => (code ? { label: "Code for support", text: code } : undefined);

/** A payment the card gateway declined, by its code: words, and the code for support. */
function declined(code: string | null): Words {
  return { text: `${decline(code).message} Nothing was charged.`, support: forSupport(code) };
}

/** Why a flight change failed: a declined card in words, then what was done about it; any other
 * failure as written. */
function changeFailure(why: string, code: string | null): Words {
  if (!code) return { title: "Flight change not made", text: cap(why), tone: "problem" };
  const rest = afterDecline(why);
  const told = declineSentence(decline(code));
  return { title: "Flight change not made", text: rest ? `${told} ${sentence(rest)}` : told, tone: "problem", support: forSupport(code) };
}
const pax = (id: string, names: string[]) => names[Number(id.replace("pas_", "")) - 1] ?? id;
/** `"14C (pas_1), 14D (Charles Babbage)"` → `"14C for Ada Lovelace, 14D for Charles Babbage"`:
 * booking/seats.py names each seat's passenger (older entries by their id). */
const seatList = (list: string, names: string[]) =>
  list.replace(/(\w+) \((pas_\d+|[^()]+)\)/g, (_, seat: string, who: string) => `${seat} for ${/^pas_\d+$/.test(who) ? pax(who, names) : who}`);

// What each seat of a request that both chose and replaced seats was: new, in place of another, or
// asked again as held.
const SEAT_WAS: Record<string, (replaced: string) => string> = {
  chosen: () => "new",
  kept: () => "unchanged",
  "in place of": (replaced) => `was ${replaced}`,
};
/** `"14C (Ada Lovelace) in place of 12A, 14D (pas_2) chosen"` →
 * `"14C for Ada Lovelace (was 12A), 14D for Charles Babbage (new)"`. */
const seatEach = (list: string, names: string[]) =>
  list.replace(/(\w+) \((pas_\d+|[^()]+)\) (chosen|kept|in place of) ?(\w*)/g, (_, seat: string, who: string, was: string, replaced: string) =>
    `${seatList(`${seat} (${who})`, names)} (${SEAT_WAS[was]?.(replaced) ?? was})`);

type Code = NonNullable<Schemas["HistoryItem"]["code"]>;
type Rule = [Code, RegExp, (match: RegExpExecArray, context: Context) => Words];

const silent = () => ({ text: null });

// By code, the API's `code` (booking/history_codes.py); each rule's pattern reads the details
// (amounts, codes, seats) out of the reason its writer words that way. In this order, the
// patterns also place a reason that comes without a code (see `inWords`).
const RULES: Rule[] = [
  ["created", /^created$/, silent],
  ["payment_started", /^payment started$/, silent],
  ["ticketed", /^paid and ticketed$/, silent],
  ["held", /^held at the airline$/, silent],
  ["payment_captured", /^payment captured$/, silent],
  ["cancelled_by_traveler", /^cancelled by traveler$/, silent],
  ["cancelled_by_support", /^cancelled by support$/, () => ({ text: "Cancelled for you by Skyfare support" })],
  ["cancelled_as_quoted", /^cancelled by (traveler|support) as quoted \([a-z]+_[0-9a-z]+\)$/, ([, who]) => ({
    text: who === "support" ? "Cancelled by Skyfare support on the terms you were quoted" : "On the terms you were quoted",
  })],
  ["card_refused", /^card refused: /, (_, { declineCode }) => declined(declineCode)],
  ["payment_failed", /^payment failed: /, (_, { declineCode }) => declined(declineCode)],
  ["captured_after_end", /^payment captured after the order ended$/, () => ({
    text: "Your card was charged after the booking had ended: the money goes back to your card.",
  })],
  ["found_by_reconciler", /^(.*) \(found by the reconciler\)$/, ([, what = ""]) => ({
    text: `${cap(what.replace(/^the /, ""))}: found by our checks with the airline`,
  })],
  ["released_unpaid", /^not paid by payment_required_by: released at the airline$/, () => ({
    text: "Not paid by the deadline, so the airline released the seats",
  })],
  // The airline's own words are for support: travelers get what happened and what we did.
  ["ticketing_failed_refunded", /^ticketing failed after payment \((.*)\); the payment was refunded$/, ([, why = ""]) => ({
    text: "The airline could not issue your tickets, so your payment was refunded in full",
    money: true,
    support: why ? { label: "The airline said", text: why } : undefined,
  })],
  ["ticketing_failed", /^ticketing failed$/, () => ({ text: "The airline could not issue the tickets" })],
  ["airline_refused", /^the airline refused (.*)$/, ([, what = ""]) => ({ text: `The airline refused ${what}`, tone: "problem" })],
  ["refund_owed", /(?:^|: )refund owed: (.*)$/, ([, where = ""]) => ({
    title: "Refund on its way",
    text: `${cap(moneyParts(where))}, back to your card`,
    tone: "progress",
    money: true,
  })],
  // Why the gateway refused: the step's `decline_code`, stored with it (booking/sql/0143), not the text's.
  ["refund_retrying", /^refund of (.*) refused by the payment gateway \(.+\); it is retried$/, ([, what = ""], { declineCode }) => ({
    title: "Refund delayed",
    text: `The card payment service did not accept the refund of ${moneyParts(what)}${declineCode ? ` (${cardCode(declineCode)})` : ""}. We are trying again: you need do nothing.`,
    tone: "problem",
    money: true,
  })],
  ["nothing_to_refund", /^.*: nothing to refund \((.*)\)$/, ([, why = ""]) => ({ text: `Nothing to refund: ${why}`, money: true })],
  ["refunded", /^(.*): refunded (.*)$/, ([, why = "", where = ""]) => ({
    text: `${cap(moneyParts(where))}, back to your card (${why.replace(/^the order was /, "booking ")})`,
    money: true,
  })],
  ["refunded_by_gateway", /^refunded by the gateway$/, () => ({ text: "Refunded by the card payment service", money: true })],
  ["late_payment_refunded", /^the order was no longer waiting for this payment$/, () => ({
    // A payment given up (the traveler was told it failed) or no longer wanted: the booking may
    // still be held, waiting for another card, so this does not say it ended.
    title: "Late payment refunded",
    text: "Your card was charged after we had stopped waiting for that payment, so all of it went back to your card",
    tone: "done",
    money: true,
  })],
  ["flight_changed", FLIGHT_CHANGED, (found) => ({ title: "Flight changed", text: flightChangedWords(found), tone: "done" })],
  ["change_failed", /^change [a-z]+_[0-9a-z]+ failed: (.*)$/, ([, why = ""], { declineCode }) => changeFailure(why, declineCode)],
  ["seat_change_refunded", /^seat change refused after payment, refunded: (.*)$/, ([, why = ""]) => ({
    title: "Seat change not made",
    text: `${cap(why)}; the seat charge went back to your card`,
    tone: "problem",
    money: true,
  })],
  // A first choice (no seat held there before) and a change; entries written before the two were
  // told apart (booking/sql/0148) are all `seats_changed`.
  ["seats_chosen", /^seats chosen: (.*)$/, ([, list = ""], { names }) => ({ title: "Seats chosen", text: seatList(list, names), tone: "done" })],
  // One request that did both (booking/seat_history.py): each seat says which it was.
  ["seats_chosen_and_changed", /^seats chosen and changed: (.*)$/, ([, list = ""], { names }) => ({
    title: "Seats chosen and changed",
    text: seatEach(list, names),
    tone: "done",
  })],
  ["seats_changed", /^seats (.*)$/, ([, list = ""], { names }) => ({ title: "Seats changed", text: seatList(list, names), tone: "done" })],
  ["name_corrected", /^passenger \d+ name corrected from (.*) to (.*)$/, ([, from = "", to = ""]) => ({
    title: "Name corrected",
    text: `${to} (was ${from})`,
    tone: "done",
  })],
];

const BY_CODE = new Map(RULES.map((rule) => [rule[0] as string, rule]));

/** A reason as written, without our ids and underscores. */
function asWritten(reason: string): Words {
  const text = reason
    .replace(/\s*\([a-z]{2,4}_[0-9a-z]+\)/g, "")
    .replace(/_/g, " ")
    .trim();
  return { text: text ? cap(text) : null };
}

/** The reason in the traveler's words; `names` are the order's passengers, in order (pas_N),
 * `declineCode` the step's `decline_code`. The words are chosen by `code`; a reason whose details
 * do not read as its code's writer words them keeps that code's title and tone, its text as
 * written. Without a code, or with one this app does not know yet (a newer API), the reason's
 * text is matched, else shown as written. */
export function inWords(reason: string, names: string[] = [], code?: string | null, declineCode: string | null = null): Words {
  const context = { names, declineCode };
  const rule = code ? BY_CODE.get(code) : undefined;
  if (rule) {
    const match = rule[1].exec(reason);
    if (match) return rule[2](match, context);
    // Worded another way: the code's title, tone and money; no details to read, so its text as written.
    const noDetails = Object.assign([reason], { index: 0, input: reason }) as RegExpExecArray;
    return { ...rule[2](noDetails, context), ...asWritten(reason) };
  }
  for (const [, pattern, words] of RULES) {
    const match = pattern.exec(reason);
    if (match) return words(match, context);
  }
  return asWritten(reason);
}
