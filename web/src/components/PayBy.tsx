import type { ReactNode } from "react";

import type { Order } from "../lib/api/client";
import { localMoment } from "../lib/format";

/** "Pay by Thu 4 Feb 2027, 14:05 GMT" (the traveler's zone, as every moment of ours) for a trip
 * on hold and not paid, followed by `children`; nothing for any other trip. My trips and the
 * trip's page both say it: a hold unpaid by then is lost. */
export function PayBy({ order, children, className }: { order: Order; children?: ReactNode; className?: string }) {
  const by = order.payment_required_by;
  if (order.status !== "held" || order.payment_status === "paid" || !by) return null;
  const words = (
    <>
      Pay by <time dateTime={by}>{localMoment(by)}</time>
      {children}
    </>
  );
  // A line of its own (My trips), else words within the caller's sentence (the trip's page).
  return className ? <p className={className}>{words}</p> : words;
}
