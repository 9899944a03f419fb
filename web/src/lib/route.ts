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
