import type { Schemas } from "../../lib/api/client";
import { inWords, type Support, type Words } from "./historyWords";

export type HistoryItem = Schemas["HistoryItem"];
type HistoryFlight = Schemas["HistoryFlight"];

/** The flight the trip's last flight change moved a slice to, as fields: the latest
 * `flight_changed` step's `details.flight`. A confirmed `last_change` of the order is that step
 * (booking/change_store.py writes both in one transaction; a later change replaces both). Null
 * when the history has no such step, or the API could not read its reason. */
export function lastChangedFlight(items: readonly HistoryItem[] | undefined): HistoryFlight | null {
  const step = [...(items ?? [])].reverse().find((item) => item.code === "flight_changed");
  return step?.details?.flight ?? null;
}

/** The steps as the timeline tells them: oldest first and, within one moment (one transaction
 * writes both), what a person did before what followed from it. The API lists a cheaper flight
 * change's "Refund on its way" before the "Flight changed" that owed it. */
export function inTellingOrder(items: readonly HistoryItem[]): HistoryItem[] {
  // Each step keeps its moment's place (where the API first listed that moment), then a person's
  // step before the system's, then the API's order.
  const moment = new Map<string, number>();
  items.forEach((item, index) => moment.set(item.at, moment.get(item.at) ?? index));
  return items
    .map((item, index) => ({ item, index, moment: moment.get(item.at) ?? index, system: item.actor.type === "system" ? 1 : 0 }))
    .sort((a, b) => a.moment - b.moment || a.system - b.system || a.index - b.index)
    .map(({ item }) => item);
}

/** One step of the trip's timeline, in the traveler's words. */
export interface Step {
  title: string;
  /** Why, as the system recorded it, made readable; null when it only repeats the title. */
  reason: string | null;
  /** Who: "You", "Skyfare support" or "Skyfare" (our own processes; a refund is always ours;
   * paid seats "Skyfare, after you paid"). */
  by: string;
  /** A settled state of the trip (booked, cancelled…) rather than a step on the way. */
  tone: "done" | "ended" | "progress" | "problem";
  /** For Skyfare support, beside the reason: a gateway's code, an airline's own words. */
  support: Support | null;
}

const STATUS_TITLES: Record<string, [string, Step["tone"]]> = {
  pending: ["Booking started", "progress"],
  held: ["Seats held with the airline", "progress"],
  confirmed: ["Booked and ticketed", "done"],
  cancelled: ["Trip cancelled", "ended"],
  expired: ["Hold ran out", "ended"],
  failed: ["Booking failed", "problem"],
};

const PAYMENT_TITLES: Record<string, [string, Step["tone"]]> = {
  processing: ["Payment started", "progress"],
  paid: ["Payment received", "done"],
  failed: ["Payment declined", "problem"],
  refunded: ["Refunded", "ended"],
  unpaid: ["Payment not taken", "progress"],
};

// Seats a traveler chose: when they cost more, they are recorded as the card's charge settles (by
// the gateway's webhook), so the row's actor is our process, not the traveler who picked them.
const SEAT_CODES: ReadonlySet<string> = new Set(["seats_chosen", "seats_changed", "seats_chosen_and_changed"]);

function who(actor: HistoryItem["actor"], words: Words, code: string | null): string {
  if (actor.type === "system" && code !== null && SEAT_CODES.has(code)) return "Skyfare, after you paid";
  if (words.money) {
    // A refund is Skyfare's doing, even when it ran in the traveler's (or an agent's) request.
    if (actor.type === "traveler") return words.after ?? "Skyfare, after you cancelled";
    if (actor.type === "support") return "Skyfare support";
    return "Skyfare";
  }
  if (actor.type === "traveler") return "You";
  if (actor.type === "support") return "Skyfare support";
  return "Skyfare";
}

/** The change as a step: the order's status when it moved, else its payment's; when neither
 * moved (a refund owed, a flight or seats changed), its code says what the step is. */
export function stepOf(item: HistoryItem): Step {
  const words = inWords(item);
  const support = words.support ?? null;
  const statusMoved = item.from_status !== item.to_status;
  const paymentMoved = item.from_payment_status !== item.to_payment_status;
  const by = who(item.actor, words, item.code ?? null);
  if (!statusMoved && !paymentMoved && item.from_status !== null) {
    return { title: words.title ?? words.text ?? "Trip updated", reason: words.title ? words.text : null, by, tone: words.tone ?? "progress", support };
  }
  const [title, tone] = statusMoved
    ? (STATUS_TITLES[item.to_status] ?? [`Now ${item.to_status}`, "progress"])
    : (PAYMENT_TITLES[item.to_payment_status] ?? [`Payment ${item.to_payment_status}`, "progress"]);
  const reason = words.text;
  return {
    title,
    reason: reason && reason.toLowerCase() !== title.toLowerCase() ? reason : null,
    by,
    tone,
    support,
  };
}
