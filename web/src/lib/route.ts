import { localDate } from "./format";

interface Leg {
  origin: string;
  destination: string;
}

/** A trip's route as its headings write it: `LHR → JFK` one way, `LHR ⇄ JFK` there and back,
 * `LHR → CDG → FRA` when each flight leaves from where the last one landed, and otherwise each
 * flight in turn (`LHR → CDG, FRA → LHR`), so no airport of the trip is left out. */
export function tripRoute(legs: readonly Leg[]): string {
  const [first, second] = legs;
  if (!first) return "";
  if (legs.length === 2 && second && second.origin === first.destination && second.destination === first.origin) {
    return `${first.origin} ⇄ ${first.destination}`;
  }
  const chained = legs.every((leg, index) => index === 0 || leg.origin === legs[index - 1]?.destination);
  if (chained) return [first.origin, ...legs.map((leg) => leg.destination)].join(" → ");
  return legs.map((leg) => `${leg.origin} → ${leg.destination}`).join(", ");
}

/** Which flight, as a traveler names it: `LHR → JFK, BA117, Thu 4 Feb 2027` (its flight numbers
 * and the day it leaves, the airport's). A slice of connections names each flight number. */
export function flightName(leg: Leg, flights: readonly string[], day: string): string {
  return [`${leg.origin} → ${leg.destination}`, flights.join(", "), day && localDate(day)].filter(Boolean).join(", ");
}

/** A slice's `flightName`. */
export function sliceName(slice: Leg & { segments: readonly { flight_number: string; departing_at: string }[] }): string {
  return flightName(
    slice,
    slice.segments.map((segment) => segment.flight_number),
    slice.segments[0]?.departing_at.slice(0, 10) ?? "",
  );
}
