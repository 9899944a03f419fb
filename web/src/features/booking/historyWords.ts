import { money } from "../../lib/format";

/** The API's history reasons (order_history.reason, written by booking/ and payment/) in the
 * words of the trip's timeline. Nothing is dropped but our own ids: each amount, where money went
 * and why a card or a refund was refused stay; an unknown reason is shown as written. */

/** What a reason says, in the traveler's words. `title` replaces the step's own title (a note
 * that moved no status: a refund owed, a flight changed); `money` marks Skyfare's own handling of
 * the traveler's money (a refund), whoever's request it ran in. */
export interface Words {
  title?: string;
  text: string | null;
  tone?: "done" | "ended" | "progress" | "problem";
  money?: boolean;
}

// A card gateway's or our own code for a refusal (payment/wire.py: decline_code, else code).
const CARD_CODES: Record<string, string> = {
  generic_decline: "your bank declined the card",
  card_declined: "your bank declined the card",
  do_not_honor: "your bank declined the card",
  insufficient_funds: "the card has too little money available",
  expired_card: "the card has expired",
  incorrect_cvc: "the card's security code was wrong",
  lost_card: "the card is reported lost",
  stolen_card: "the card is reported stolen",
  capture_failed: "the amount authorised could not be taken from the card",
  gateway_refused: "the card payment service refused the card",
  gateway_unreachable: "the card payment service did not answer",
  payment_failed: "the card payment did not go through",
  card_rejected: "the card payment service refused the card",
  charge_disputed: "the payment is disputed with your bank",
};

/** A code in words; an unknown one stays readable and is kept (`some_code` → "some code"). */
export function cardCode(code: string): string {
  return CARD_CODES[code] ?? `the card payment service said "${code.replace(/_/g, " ")}"`;
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
const pax = (id: string, names: string[]) => names[Number(id.replace("pas_", "")) - 1] ?? id;

type Rule = [RegExp, (match: RegExpExecArray, names: string[]) => Words];

const RULES: Rule[] = [
  [/^created$/, () => ({ text: null })],
  [/^(payment started|paid and ticketed|held at the airline|payment captured|cancelled by traveler)$/, () => ({ text: null })],
  [/^cancelled by support$/, () => ({ text: "Cancelled for you by Skyfare support" })],
  [/^cancelled by (traveler|support) as quoted \([a-z]+_[0-9a-z]+\)$/, ([, who]) => ({
    text: who === "support" ? "Cancelled by Skyfare support on the terms you were quoted" : "On the terms you were quoted",
  })],
  [/^(card refused|payment failed): (\S+)$/, ([, , code = ""]) => ({ text: `${cap(cardCode(code))}. Nothing was charged.` })],
  [/^payment captured after the order ended$/, () => ({
    text: "Your card was charged after the booking had ended: the money goes back to your card.",
  })],
  [/^(.*) \(found by the reconciler\)$/, ([, what = ""]) => ({ text: `${cap(what.replace(/^the /, ""))}: found by our checks with the airline` })],
  [/^not paid by payment_required_by: released at the airline$/, () => ({
    text: "Not paid by the deadline, so the airline released the seats",
  })],
  [/^ticketing failed after payment \((.*)\); the payment was refunded$/, ([, why = ""]) => ({
    text: `The airline could not issue the tickets (${why}), so your payment was refunded`,
    money: true,
  })],
  [/^ticketing failed$/, () => ({ text: "The airline could not issue the tickets" })],
  [/^refund owed: (.*)$/, ([, where = ""]) => ({
    title: "Refund on its way",
    text: `${cap(moneyParts(where))}, back to your card`,
    tone: "progress",
    money: true,
  })],
  [/^refund of (.*) refused by the payment gateway \((\S+)\); it is retried$/, ([, what = "", code = ""]) => ({
    title: "Refund delayed",
    text: `The card payment service did not accept the refund of ${moneyParts(what)} (${cardCode(code)}). We are trying again: you need do nothing.`,
    tone: "problem",
    money: true,
  })],
  [/^(.*): refunded (.*)$/, ([, why = "", where = ""]) => ({
    text: `${cap(moneyParts(where))}, back to your card (${why.replace(/^the order was /, "booking ")})`,
    money: true,
  })],
  [/^refunded by the gateway$/, () => ({ text: "Refunded by the card payment service", money: true })],
  [/^the order was no longer waiting for this payment$/, () => ({
    text: "The payment came after the booking had ended, so it was refunded",
    money: true,
  })],
  [/^slice (\d+) changed to (.*?)(?:; seats (.*) released)? \([a-z]+_[0-9a-z]+\)$/, ([, n = "", to = "", seats]) => ({
    title: "Flight changed",
    text: `Flight ${n} is now ${to}${seats ? `; seats ${seats} were released` : ""}`,
    tone: "done",
  })],
  [/^change [a-z]+_[0-9a-z]+ failed: (.*)$/, ([, why = ""]) => ({ title: "Flight change not made", text: cap(why), tone: "problem" })],
  [/^seats (.*)$/, ([, list = ""], names) => ({
    title: "Seats changed",
    text: list.replace(/(\w+) \((pas_\d+)\)/g, (_, seat: string, id: string) => `${seat} for ${pax(id, names)}`),
    tone: "done",
  })],
  [/^seat change refused after payment, refunded: (.*)$/, ([, why = ""]) => ({
    title: "Seat change not made",
    text: `${cap(why)}; the seat charge went back to your card`,
    tone: "problem",
    money: true,
  })],
];

/** The reason in the traveler's words; `names` are the order's passengers, in order (pas_N). */
export function inWords(reason: string, names: string[] = []): Words {
  for (const [pattern, words] of RULES) {
    const match = pattern.exec(reason);
    if (match) return words(match, names);
  }
  // Not one we know: as written, without our ids and underscores.
  const text = reason
    .replace(/\s*\([a-z]{2,4}_[0-9a-z]+\)/g, "")
    .replace(/_/g, " ")
    .trim();
  return { text: text ? cap(text) : null };
}
