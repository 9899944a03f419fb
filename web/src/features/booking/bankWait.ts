import type { Order } from "../../lib/api/client";
import { bankPage } from "./api/orders";

/** The bank's page the trip's payment waits on (3-D Secure), else null: the order's
 * `payment_next_action` once it shows the payment (null there: the gateway is charging the card,
 * nothing left to confirm), or `justPaid`, the page the payment's answer named, while the order
 * is still as read before paying (`unpaid`). */
export function bankWaiting(order: Order, justPaid: string | undefined): string | null {
  if (order.status !== "held") return null;
  if (order.payment_status === "processing" && order.payment_next_action !== undefined)
    return bankPage(order.payment_next_action?.url);
  return ["processing", "unpaid"].includes(order.payment_status) ? (justPaid ?? null) : null;
}
