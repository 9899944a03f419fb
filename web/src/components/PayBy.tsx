import type { ReactNode } from "react";

import type { Order } from "../lib/api/client";
import { localMoment } from "../lib/format";

/** "Pay by Thu 4 Feb 2027, 14:05 GMT" (the traveler's zone, as every moment of ours) for a trip
 * on hold and not paid, followed by `children`; nothing for any other trip, nor while a payment
 * is being taken (`paying`: one was just sent from this tab, before the order shows it). My trips
 * and the trip's page both say it: a hold unpaid by then is lost. */
export function PayBy({
  order,
  children,
  className,
  paying = false,
  awaitingBank = false,
}: {
  order: Order;
  children?: ReactNode;
  className?: string;
  paying?: boolean;
  /** The traveler left their bank's page (3-D Secure) unconfirmed: the payment waits, and the
   * hold's deadline is theirs to meet again. */
  awaitingBank?: boolean;
}) {
  const by = order.payment_required_by;
  if (order.status !== "held" || order.payment_status === "paid" || !by) return null;
  if (!awaitingBank && (order.payment_status === "processing" || (paying && order.payment_status === "unpaid"))) return null;
  const words = (
    <>
      Pay by <time dateTime={by}>{localMoment(by)}</time>
      {children}
    </>
  );
  // A line of its own (My trips), else words within the caller's sentence (the trip's page).
  return className ? <p className={className}>{words}</p> : words;
}
