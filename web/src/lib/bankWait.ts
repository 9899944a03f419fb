import type { Order } from "./api/client";

/** Whether the trip's payment waits for the traveler to confirm it with their bank (3-D Secure:
 * the order's `payment_next_action`), not for the gateway charging the card: both are
 * `payment_status: processing`, and only the first is the traveler's to do something about
 * (confirm it, or use another card). */
export function waitsForBank(order: Pick<Order, "status" | "payment_status" | "payment_next_action">): boolean {
  return order.status === "held" && order.payment_status === "processing" && !!order.payment_next_action;
}
