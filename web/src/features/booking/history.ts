import type { Schemas } from "../../lib/api/client";

export type HistoryItem = Schemas["HistoryItem"];

/** One step of the trip's timeline, in the traveler's words. */
export interface Step {
  title: string;
  /** Why, as the system recorded it, made readable; null when it only repeats the title. */
  reason: string | null;
  /** Who: "You", "Skyfare support" or "Skyfare" (our own processes). */
  by: string;
  /** A settled state of the trip (booked, cancelled…) rather than a step on the way. */
  tone: "done" | "ended" | "progress" | "problem";
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

function who(actor: HistoryItem["actor"]): string {
  if (actor.type === "traveler") return "You";
  if (actor.type === "support") return "Skyfare support";
  return "Skyfare";
}

/** `gateway_refused` → `Gateway refused`; our ids mean nothing to the traveler: a quote's
 * (`(ocr_…)`) is left out, and a refund "to pay_…" (any charge: the payment, a change's, a
 * seat's) went back to the card. The traveler is "you". */
function readable(reason: string): string {
  const text = reason
    .replace(/\s*\([a-z]{2,4}_[0-9a-z]+\)/g, "")
    .replace(/\bto [a-z]{2,4}_[0-9a-z]+/g, "to your card")
    .replace(/_/g, " ")
    .replace(/\bby traveler\b/, "by you")
    .trim();
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** The change as a step: the order's status when it moved, else its payment's; when neither
 * moved (a refund owed on a cancelled order, say), the reason is the step. */
export function stepOf(item: HistoryItem): Step {
  const statusMoved = item.from_status !== item.to_status;
  if (!statusMoved && item.from_payment_status === item.to_payment_status && item.reason) {
    return { title: readable(item.reason), reason: null, by: who(item.actor), tone: "progress" };
  }
  const [title, tone] = statusMoved
    ? (STATUS_TITLES[item.to_status] ?? [`Now ${item.to_status}`, "progress"])
    : (PAYMENT_TITLES[item.to_payment_status] ?? [`Payment ${item.to_payment_status}`, "progress"]);
  // The creation's reason ("created") only repeats that the booking started.
  const reason = item.reason && item.from_status !== null ? readable(item.reason) : "";
  return {
    title,
    reason: reason && reason.toLowerCase() !== title.toLowerCase() ? reason : null,
    by: who(item.actor),
    tone,
  };
}
