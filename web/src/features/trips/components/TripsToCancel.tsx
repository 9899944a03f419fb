import { Link } from "react-router";

import type { Order } from "../../../lib/api/client";
import { localDate } from "../../../lib/format";
import { tripRoute } from "../../../lib/route";

/** A trip as a link names it: `LHR ⇄ JFK on Sun 20 Dec 2026 (K7Q2MZ)`, its route, first day and
 * booking reference, so two trips on one route and day still read apart. */
export function tripName(order: Pick<Order, "slices" | "booking_reference">): string {
  const departing = order.slices[0]?.segments[0]?.departing_at;
  const route = tripRoute(order.slices);
  return `${route}${departing ? ` on ${localDate(departing)}` : ""} (${order.booking_reference})`;
}

/** Why the trip holds the account up, as the list says it after the link. */
function why(order: Order): string {
  if (order.payment_status === "processing") return "being paid";
  return order.status === "held" ? "on hold, not paid" : "being booked";
}

/**
 * The trips that keep an account from being deleted, each a link to its page, where it is
 * cancelled. `ids` (a refusal's `orders_in_flight`) lists those the API named, in its order: a
 * trip of them not among `trips` (not read yet, or still being booked) is named by its place.
 */
export function TripsToCancel({ trips, ids }: { trips: readonly Order[]; ids?: readonly string[] }) {
  const byId = new Map(trips.map((order) => [order.id, order]));
  const listed = (ids ?? trips.map((order) => order.id)).map((id) => ({ id, order: byId.get(id) }));
  return (
    <ul aria-label="Trips still in progress">
      {listed.map(({ id, order }, index) => (
        <li key={id}>
          <Link to={`/trips/${encodeURIComponent(id)}`}>
            {order ? tripName(order) : `Trip ${index + 1} of ${listed.length}`}
          </Link>
          {order && `: ${why(order)}`}
        </li>
      ))}
    </ul>
  );
}
