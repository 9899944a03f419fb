import type { Order } from "../../lib/api/client";

// An ended trip in words: the API's status is a value, not a sentence ("This trip is failed").
const ENDED: Record<string, string> = {
  cancelled: "This trip is cancelled",
  expired: "The hold on this trip ran out",
  failed: "This booking did not go through",
};

/** The trip page's heading: where the order stands (`paying`: a payment was just started here;
 * `bankClosed`: the traveler closed their bank's page (3-D Secure) before confirming it, so the
 * payment waits for them at the bank, nothing charged: not "in progress"). */
export function headline(order: Pick<Order, "status" | "payment_status">, paying: boolean, bankClosed = false): string {
  if (bankClosed && order.status === "held" && ["processing", "unpaid"].includes(order.payment_status))
    return "Confirm the payment with your bank";
  if (order.payment_status === "processing" || (paying && order.payment_status === "unpaid" && order.status === "held"))
    return "Payment in progress…";
  if (order.status === "confirmed") return "Your trip is booked";
  if (order.status === "held" && order.payment_status === "paid") return "Paid: issuing your tickets…";
  if (order.status === "held" && order.payment_status === "failed") return "The payment was declined";
  if (order.status === "held") return "Your seats are on hold";
  if (order.status === "pending") return "Confirming with the airline…";
  return ENDED[order.status] ?? `This trip is ${(order.status as string).replace(/_/g, " ")}`;
}

