import type { Order } from "../../lib/api/client";

/** Flights and seats change on a live order with no payment in flight (booking/seats.py,
 * booking/change_terms.py). */
export const amendable = (order: Order) =>
  (order.status === "held" && order.payment_status === "unpaid") ||
  (order.status === "confirmed" && order.payment_status === "paid");

// A flight's time is its airport's, without an offset (docs/api.md), and the page does not know
// the airport's zone. Zones run from UTC-12 to UTC+14: read as UTC, a local time more than the
// widest of them (14 h) in the past has passed wherever the airport is. Closer than that, the
// API decides (booking/departures.py) and a refusal is told in words.
const WIDEST_OFFSET_MS = 14 * 3_600_000;

type Slice = Order["slices"][number];

/** `slice`'s first departure, its local time read as UTC (ms); null when it has none. */
function departureAsUtc(slice: Slice | undefined): number | null {
  const departing = slice?.segments[0]?.departing_at;
  if (!departing) return null;
  const asUtc = Date.parse(`${departing.slice(0, 19)}Z`);
  return Number.isNaN(asUtc) ? null : asUtc;
}

/** Whether `slice`'s first flight has surely left at `now`, whatever its airport's zone. */
export function surelyLeft(slice: Slice, now: Date): boolean {
  const asUtc = departureAsUtc(slice);
  return asUtc !== null && now.getTime() - asUtc > WIDEST_OFFSET_MS;
}

/** Whether the trip has surely begun at `now`: its first flight has left (the API refuses to
 * cancel it then, 409, and support settles what it is owed). */
export function surelyBegun(order: Order, now: Date): boolean {
  const first = order.slices[0];
  return first !== undefined && surelyLeft(first, now);
}

// booking/seats.py: seats change until 24 hours before the first flight, its local time taken
// at the earliest it can be in UTC (UTC+14). That rule needs no zone: the page applies it as is.
const SEAT_CUTOFF_MS = 24 * 3_600_000;

/** Whether the API now refuses to change the order's seats by its 24-hour rule (a trip that has
 * begun is past it too): the page does not offer "Change seats" then. */
export function seatsClosed(order: Order, now: Date): boolean {
  const asUtc = departureAsUtc(order.slices[0]);
  return asUtc !== null && asUtc - WIDEST_OFFSET_MS - now.getTime() <= SEAT_CUTOFF_MS;
}

/** Whether the trip's page offers "Change this flight": `offered`; `fare-forbids` when the fare
 * the order flies under says `changeable: false` (the API would refuse it, 422
 * `fare-not-changeable`: the page says so instead of offering it); `closed` when the order is not
 * amendable now. Orders made before their conditions were kept (`conditions` null) are offered
 * it: the airline decides, and a refusal is told in words. A slice whose first flight has surely
 * left is not offered it whatever this says (`surelyLeft`): the API refuses to change it. */
export function flightChange(order: Order): "offered" | "fare-forbids" | "closed" {
  if (!amendable(order)) return "closed";
  return order.conditions?.changeable === false ? "fare-forbids" : "offered";
}
