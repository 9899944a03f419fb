/**
 * A card decline in words. The payment gateway answers with a machine code (Stripe's
 * `decline_code`, else its `code`; ours for the gateway itself: payment/wire.py), which the API
 * passes on as a field of its own: `decline_code` on a declined change's 409 problem, its
 * `last_change`, change offer and history step, a seat charge, and the order's
 * `payment_decline_code` (docs/api.md). Travelers see a sentence and a next step, written once
 * here, keyed by that code; the code itself stays on the page for support, never as the message.
 * The notification worker's mails and SMS say the same words (notify/declines.py, its twin).
 *
 * The app reads the code from those fields only, never from the API's text: every order note,
 * change offer and history row stored before the fields existed got its code from the migrations
 * (booking/sql/0142_decline_codes.sql; 0143 and 0144: a refused refund's, a code of another
 * shape). The one kind of record they could not reach, a 409 answer stored for an
 * Idempotency-Key (kept 24 hours), is replayed only to a retry of that very confirmation; it then
 * shows the API's own sentence, not the decline's words.
 */

interface Known {
  /** What happened, to stand inside a sentence: "your bank declined the card". */
  phrase: string;
  /** What the traveler can do next. */
  next: string;
}

const BANK_SAID_NO: Known = { phrase: "your bank declined the card", next: "Try another card, or ask your bank why." };
const TRY_ANOTHER = "Try another card.";

// Lost, stolen, fraud and pick-up codes are told as a plain decline, as the gateways advise:
// saying "reported stolen" to whoever holds the card helps nobody honest.
const DECLINES: Record<string, Known> = {
  generic_decline: BANK_SAID_NO,
  card_declined: BANK_SAID_NO,
  do_not_honor: BANK_SAID_NO,
  do_not_try_again: BANK_SAID_NO,
  lost_card: BANK_SAID_NO,
  stolen_card: BANK_SAID_NO,
  pickup_card: BANK_SAID_NO,
  restricted_card: BANK_SAID_NO,
  fraudulent: BANK_SAID_NO,
  security_violation: BANK_SAID_NO,
  transaction_not_allowed: BANK_SAID_NO,
  insufficient_funds: { phrase: "the card has too little money available", next: "Try another card, or add funds and try again." },
  card_velocity_exceeded: { phrase: "the card has reached its spending limit", next: TRY_ANOTHER },
  withdrawal_count_limit_exceeded: { phrase: "the card has reached its spending limit", next: TRY_ANOTHER },
  expired_card: { phrase: "the card has expired", next: TRY_ANOTHER },
  incorrect_cvc: { phrase: "the card's security code was wrong", next: "Check the code on the back of the card and try again." },
  invalid_cvc: { phrase: "the card's security code was wrong", next: "Check the code on the back of the card and try again." },
  incorrect_number: { phrase: "the card number was wrong", next: "Check the number and try again." },
  invalid_number: { phrase: "the card number was wrong", next: "Check the number and try again." },
  card_not_supported: { phrase: "this card cannot be used for this payment", next: TRY_ANOTHER },
  currency_not_supported: { phrase: "this card cannot pay in this currency", next: TRY_ANOTHER },
  authentication_required: { phrase: "your bank asked to confirm the payment", next: "Try again and confirm it, or try another card." },
  // Stripe's `code` when the 3-D Secure check failed or was abandoned (it sends no decline_code).
  payment_intent_authentication_failure: { phrase: "your bank's security check (3-D Secure) was not completed", next: "Try again and confirm the payment with your bank, or try another card." },
  processing_error: { phrase: "the card could not be processed", next: "Try again in a moment, or try another card." },
  capture_failed: { phrase: "the amount authorised could not be taken from the card", next: "Try again, or try another card." },
  gateway_refused: { phrase: "the card payment service refused the card", next: TRY_ANOTHER },
  card_rejected: { phrase: "the card payment service refused the card", next: TRY_ANOTHER },
  gateway_unreachable: { phrase: "the card payment service did not answer", next: "Try again in a moment." },
  payment_failed: { phrase: "the card payment did not go through", next: TRY_ANOTHER },
  charge_disputed: { phrase: "the payment is disputed with your bank", next: "Contact your bank or our support." },
  // Ours (payment/model.py CANCELED): a payment left waiting for the bank's confirmation was
  // canceled for another card, which did not start (the trip changed meanwhile).
  canceled: { phrase: "the payment waiting for your bank's confirmation was canceled", next: "Pay now with the card you choose." },
};

const UNKNOWN: Known = {
  phrase: "the card payment did not go through",
  next: "Try another card; if it keeps happening, contact support with the code below.",
};

const cap = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/** A code as a phrase for a running sentence (the trip's history); an unknown one stays
 * readable and is kept (`some_code` → `the card payment service said "some code"`). */
export function cardCode(code: string): string {
  return DECLINES[code]?.phrase ?? `the card payment service said "${code.replace(/_/g, " ")}"`;
}

export interface Decline {
  /** The gateway's code, as it sent it: for support, never the message ("" when it sent none). */
  code: string;
  /** What happened, inside a sentence: "your bank declined the card". */
  phrase: string;
  /** The same as a sentence: "Your bank declined the card." */
  message: string;
  next: string;
}

// A decline the gateway gave no code for: generic words, and no code to quote.
const NO_CODE: Known = { phrase: "the card payment did not go through", next: TRY_ANOTHER };

/** A decline code as a sentence and a next step; an unknown code gets generic words, and so
 * does none (`null`: the gateway said nothing more). */
export function decline(code: string | null | undefined): Decline {
  const known = code ? (DECLINES[code] ?? UNKNOWN) : NO_CODE;
  return { code: code ?? "", phrase: known.phrase, message: `${cap(known.phrase)}.`, next: known.next };
}

/** The decline as one sentence naming what was not charged: "Your bank declined the card, so
 * the $40.00 was not charged." (`amount` formatted), else "…, so nothing was charged." */
export function declineSentence(found: Decline, amount: string | null = null): string {
  return `${cap(found.phrase)}, so ${amount ? `the ${amount} was not charged` : "nothing was charged"}.`;
}
