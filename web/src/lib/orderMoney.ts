import type { Order } from "./api/client";
import { money } from "./format";

const OPEN = new Set(["held", "confirmed", "pending"]);

/** A trip that will not fly (cancelled, expired, failed): its heading says so, and news of it
 * (a changed flight) is history, told in the trip's history. */
export const ended = (order: Pick<Order, "status">) => !OPEN.has(order.status);

/** An ended order still `paid`: its refund is owed (the page follows it, useOrder). */
export const refundOwed = (order: Pick<Order, "status" | "payment_status">) => ended(order) && order.payment_status === "paid";

type Priced = Pick<Order, "status" | "payment_status" | "total_amount" | "total_currency" | "money">;

const cents = (amount: string) => Math.round(Number(amount) * 100);
const amountOf = (value: number, currency: string) => money((value / 100).toFixed(2), currency);

/** The money line of a trip, on its page's booking box and in the list of trips: what was paid once a refund is due or done ("Total" beside
 * "refund complete" read as all of it back), and for a trip that ended unpaid, that nothing was
 * charged ("Total $1,701.52" on a cancelled hold read as a charge). What was paid is the
 * order's `money` (every card charge): `total_amount` leaves out seats bought after booking and
 * a flight change's difference, so the box said "Total $1,973.60" after 45.00 of seats and "You
 * paid $2,126.00" of 2,171.00. Without `money` (an answer that does not carry it) the fare's
 * total stands in. */
export function amountLine(order: Priced): string {
  const currency = order.money?.currency ?? order.total_currency;
  const paid = order.money ? cents(order.money.paid_amount) : cents(order.total_amount);
  const back = order.money ? cents(order.money.refunded_amount) + cents(order.money.refund_pending_amount) : 0;
  if (order.payment_status === "refunded" || refundOwed(order)) {
    if (!order.money || back === 0) return `You paid ${amountOf(paid, currency)}.`;
    const kept = paid - back;
    const keeps = kept > 0 ? `, ${amountOf(kept, currency)} kept under the fare's conditions` : "";
    return `You paid ${amountOf(paid, currency)}: ${amountOf(back, currency)} back to your card${keeps}.`;
  }
  const unpaid = order.payment_status === "unpaid" || order.payment_status === "failed";
  if (ended(order) && unpaid) return `Nothing was charged (the trip was ${money(order.total_amount, order.total_currency)}).`;
  // A paid trip costs what its charges hold now (a cheaper change gave some back); until the
  // first charge is captured, the fare is what is due.
  if (order.money && order.money.charges.length > 0) return `Total ${amountOf(paid - back, currency)}.`;
  return `Total ${money(order.total_amount, order.total_currency)}.`;
}
