import type { Order } from "../../lib/api/client";

// An ended trip in words: the API's status is a value, not a sentence ("This trip is failed").
const ENDED: Record<string, string> = {
  cancelled: "This trip is cancelled",
  expired: "The hold on this trip ran out",
  failed: "This booking did not go through",
};

/** The trip page's heading: where the order stands (`paying`: a payment was just started here). */
export function headline(order: Pick<Order, "status" | "payment_status">, paying: boolean): string {
  if (order.payment_status === "processing" || (paying && order.payment_status === "unpaid" && order.status === "held"))
    return "Payment in progress…";
  if (order.status === "confirmed") return "Your trip is booked";
  if (order.status === "held" && order.payment_status === "paid") return "Paid: issuing your tickets…";
  if (order.status === "held" && order.payment_status === "failed") return "The payment was declined";
  if (order.status === "held") return "Your seats are on hold";
  if (order.status === "pending") return "Confirming with the airline…";
  return ENDED[order.status] ?? `This trip is ${(order.status as string).replace(/_/g, " ")}`;
}

const OPEN = new Set(["held", "confirmed", "pending"]);

/** A trip that will not fly (cancelled, expired, failed): its heading says so, and news of it
 * (a changed flight) is history, told in the trip's history. */
export const ended = (order: Pick<Order, "status">) => !OPEN.has(order.status);

/** An ended order still `paid`: its refund is owed (the page follows it, useOrder). */
export const refundOwed = (order: Pick<Order, "status" | "payment_status">) => ended(order) && order.payment_status === "paid";

/** The booking box's money line: what was paid once a refund is due or done ("Total" beside
 * "refund complete" read as all of it back), and for a trip that ended unpaid, that nothing was
 * charged ("Total $1,701.52" on a cancelled hold read as a charge). */
export function amountLine(order: Pick<Order, "status" | "payment_status">, amount: string): string {
  if (order.payment_status === "refunded" || refundOwed(order)) return `You paid ${amount}.`;
  const unpaid = order.payment_status === "unpaid" || order.payment_status === "failed";
  if (ended(order) && unpaid) return `Nothing was charged (the trip was ${amount}).`;
  return `Total ${amount}.`;
}
