import type { Order } from "./api/client";

/** The bank's page to show (or go to): a web address only (never `javascript:`, whatever answered). */
export function bankPage(url: string | undefined): string | null {
  return url !== undefined && /^https?:\/\//.test(url) ? url : null;
}

type Payment = Pick<Order, "status" | "payment_status" | "payment_next_action">;

/** The bank's page the trip's payment waits on (3-D Secure), else null: the order's
 * `payment_next_action` once it shows the payment (null there: the gateway is charging the card,
 * nothing left to confirm), or `justPaid`, the page the payment's answer named, while the order
 * is still as read before paying (`unpaid`). The one rule for "this payment waits for the
 * traveler's bank": the trip page, My trips and the payment step all ask it. */
export function bankWaiting(order: Payment, justPaid?: string): string | null {
  if (order.status !== "held") return null;
  if (order.payment_status === "processing" && order.payment_next_action !== undefined)
    return bankPage(order.payment_next_action?.url);
  return ["processing", "unpaid"].includes(order.payment_status) ? (justPaid ?? null) : null;
}

/** Whether the trip's payment waits for the traveler to confirm it with their bank, not for the
 * gateway charging the card: both are `payment_status: processing`, and only the first is the
 * traveler's to do something about (confirm it, or use another card). */
export function waitsForBank(order: Payment): boolean {
  return bankWaiting(order) !== null;
}
