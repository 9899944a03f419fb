import type { Order } from "../../lib/api/client";
import { seatedPassengers, segmentIdOf } from "../seats";

/** The seats held on slice `sliceIndex`'s flights, "14E for Charles Babbage": a change of that
 * slice releases them at the airline (they are not carried over), so the confirmation says so
 * first. Null when there are none. */
export function seatsReleased(order: Order, sliceIndex: number): string | null {
  const flights = new Set((order.slices[sliceIndex]?.segments ?? []).map(segmentIdOf));
  const held = (order.seats ?? []).filter((seat) => flights.has(seat.segment_id));
  if (held.length === 0) return null;
  const names = new Map(seatedPassengers(order).map((p) => [p.id, p.name]));
  return held
    .map((seat) => {
      const name = names.get(seat.passenger_id);
      return name ? `${seat.designator} for ${name}` : seat.designator;
    })
    .join(", ");
}
