import type { Order } from "../../lib/api/client";

/** Flights and seats change on a live order with no payment in flight (booking/seats.py,
 * booking/change_terms.py). */
export const amendable = (order: Order) =>
  (order.status === "held" && order.payment_status === "unpaid") ||
  (order.status === "confirmed" && order.payment_status === "paid");

/** Whether the trip's page offers "Change this flight": `offered`; `fare-forbids` when the fare
 * the order flies under says `changeable: false` (the API would refuse it, 422
 * `fare-not-changeable`: the page says so instead of offering it); `closed` when the order is not
 * amendable now. Orders made before their conditions were kept (`conditions` null) are offered
 * it: the airline decides, and a refusal is told in words. */
export function flightChange(order: Order): "offered" | "fare-forbids" | "closed" {
  if (!amendable(order)) return "closed";
  return order.conditions?.changeable === false ? "fare-forbids" : "offered";
}
