import type { Order } from "../../lib/api/client";
import { segmentIdOf } from "../seats";

/** The seats held on slice `sliceIndex`'s flights, "14E for Charles Babbage": a change of that
 * slice releases them at the airline (they are not carried over), so the confirmation says so
 * first. Null when there are none. */
export function seatsReleased(order: Order, sliceIndex: number): string | null {
  const flights = new Set((order.slices[sliceIndex]?.segments ?? []).map(segmentIdOf));
  const held = (order.seats ?? []).filter((seat) => flights.has(seat.segment_id));
  if (held.length === 0) return null;
  return held
    .map((seat) => {
      const passenger = order.passengers[Number(seat.passenger_id.replace("pas_", "")) - 1];
      return passenger ? `${seat.designator} for ${passenger.given_name} ${passenger.family_name}` : seat.designator;
    })
    .join(", ");
}
