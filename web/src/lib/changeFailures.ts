import { decline, declineSentence } from "./declines";
import { describe } from "./problems";

/**
 * Why a flight change failed, in the traveler's words with the next step they can take, written
 * once here and chosen by the API's `failure_code` (booking/model.py `ChangeFailure`, docs/api.md
 * "Changes": on the confirmation's 409, the order's `last_change` and the change offer) and a
 * declined card's `decline_code` (lib/declines). The API's `detail` / `failure_reason` is our
 * English sentence for people, reworded at will: it is never the message, only a detail for
 * support when no code says why (a failure recorded in a shape the API could not name).
 */
export interface Failed {
  failure_code?: unknown;
  decline_code?: unknown;
  /** The API's sentence: shown for support only, when no code says why. */
  detail?: unknown;
}

export interface Support {
  label: string;
  text: string;
}

export interface FailureWords {
  /** Replaces the screen's own lead ("Your flight was not changed.") where that would mislead. */
  lead?: string;
  /** What happened, and where that leaves the trip's flights and money. */
  text: string;
  next: string;
  /** For Skyfare support, quoted as sent beside the words: a gateway's code, or the API's own
   * sentence when no code said why. */
  support: Support | null;
}

const KEPT = "Your trip keeps its original flights";
const AGAIN = "To try again, search for the flight once more.";
const SEARCH = "Search again for current flights and prices.";
const text = (value: unknown) => (typeof value === "string" && value ? value : null);

/** A problem type's words as a failure's (a fare or an airline that allows no change). */
function asProblem(type: string): FailureWords {
  const { message, next } = describe({ type: `https://skyfare.dev/problems/${type}` });
  return { text: `${message} Nothing was changed or charged.`, next, support: null };
}

/** The words of a failure by its code; `amount`: what the change would have charged (formatted),
 * named when the card was declined. Null for no code, or one this app does not know yet. */
export function changeFailure(failed: Failed, amount: string | null = null): FailureWords | null {
  const code = text(failed.decline_code);
  const card = decline(code);
  const support = code ? { label: "Code for support", text: code } : null;
  const declined = { text: `${declineSentence(card, amount)} ${KEPT}.`, next: `${card.next} ${AGAIN}`, support };
  switch (failed.failure_code) {
    case "card_declined":
      // Ours (booking/change_money.py): left waiting for the bank's confirmation too long, its
      // charge canceled at the gateway. The order payment's "Pay now…" does not fit a change.
      if (code === "canceled") {
        const kept = amount ? `the ${amount} was not charged` : "nothing was charged";
        const waited = `Your bank’s confirmation did not come in time, so the change was canceled and ${kept}.`;
        return { text: `${waited} ${KEPT}.`, next: AGAIN, support };
      }
      return declined;
    case "card_not_charged":
      return { text: `It could not be finished, so it was undone: your card was not charged. ${KEPT}.`, next: AGAIN, support: null };
    case "refund_not_possible":
      return {
        text: `It would have given money back, but that could not be refunded to the cards that paid for this trip, so it was undone. ${KEPT} and nothing was charged.`,
        next: "Contact support to make this change.",
        support: null,
      };
    case "order_moved":
      return {
        text: "Your trip was cancelled, refunded or changed elsewhere while this change was being made, so it was undone. Anything charged for it goes back to your card.",
        next: "Look at your trip as it is now before changing it again.",
        support: null,
      };
    case "airline_refused":
      return {
        text: "The airline did not accept it: the flight may have sold out, or its fare changed since it was offered. Your trip keeps its flights and nothing was charged.",
        next: SEARCH,
        support: null,
      };
    case "fare_not_changeable":
      return asProblem("fare-not-changeable");
    case "change_unsupported":
      return asProblem("change-unsupported");
    case "given_up":
      // Ours (booking/change_money.py): the traveler gave it up while their bank asked them to
      // confirm its charge; canceled at the gateway before the flights were put back.
      return {
        lead: "You gave up this flight change.",
        text: `It was undone while your bank was still asking you to confirm it, so nothing was charged. ${KEPT}.`,
        next: "You can change this flight again whenever you like.",
        support: null,
      };
    case "airline_kept_new_flights":
      return {
        lead: "Your flight change could not be completed.",
        text: `${code ? `${declineSentence(card, amount)} ` : ""}The airline did not put your original flights back: its booking may show the new flight, not paid for.`,
        next: "Contact support about this trip: they will settle it with you. Please do not try the change again meanwhile.",
        support,
      };
    default:
      // A declined card is said by its own code even where no failure code came with it.
      return code ? declined : null;
  }
}

/** A confirmation's 409 whose change offer did not fail (no `failure_code`, no `departed_at`,
 * not `in_progress`): the trip changed since the offers were made. */
export function changedSinceOffer(failed: Failed): FailureWords {
  return {
    text: "Your trip changed since these flights were offered, so nothing was changed or charged.",
    next: SEARCH,
    support: forSupport(failed),
  };
}

/** A failed change the API gave no code for, or one this app does not know yet: general words,
 * the API's sentence kept for support. */
export function unnamedFailure(failed: Failed): FailureWords {
  return { text: "Your trip keeps the flights shown on it.", next: AGAIN, support: forSupport(failed) };
}

function forSupport(failed: Failed): Support | null {
  const detail = text(failed.detail);
  const code = text(failed.decline_code);
  if (code) return { label: "Code for support", text: code };
  return detail ? { label: "Details for support", text: detail } : null;
}
