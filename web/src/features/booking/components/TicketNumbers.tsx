import type { Order } from "../../../lib/api/client";

/** The order's e-ticket numbers. Only a confirmed trip's are good to fly on; once the trip is
 * cancelled (or has otherwise ended) the airline has voided or refunded them, so they are listed
 * as cancelled rather than as tickets: still worth quoting to support or a bank about the money. */
export function TicketNumbers({ order }: { order: Pick<Order, "status" | "ticket_numbers"> }) {
  const numbers = order.ticket_numbers.join(", ");
  if (!numbers) return null;
  if (order.status === "confirmed") return <p>Tickets: {numbers}</p>;
  return (
    <p className="meta">
      Cancelled tickets: {numbers}. They can no longer be used to fly; quote them if you contact us about this trip.
    </p>
  );
}
