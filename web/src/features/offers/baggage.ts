import type { Schemas } from "../../lib/api/client";

type Allowances = Schemas["Segment"]["baggages"];

function bags(count: number, kind: string): string {
  return `${count} ${kind} bag${count === 1 ? "" : "s"}`;
}

/**
 * What a segment's fare includes, in words: "1 checked bag, 23 kg, plus carry-on",
 * "carry-on only", "no bags included", or "not reported by the airline" when the airline
 * did not say (the API leaves `baggages` out) — never a guess.
 */
export function baggageWords(baggages: Allowances): string {
  if (baggages == null) return "not reported by the airline";
  const count = (type: "checked" | "carry_on") =>
    baggages.filter((b) => b.type === type).reduce((sum, b) => sum + b.quantity, 0);
  const checked = count("checked");
  const carryOn = count("carry_on");
  if (checked === 0) return carryOn === 0 ? "no bags included" : "carry-on only";
  const weights = new Set(baggages.filter((b) => b.type === "checked").map((b) => b.max_weight_kg ?? null));
  const [weight] = [...weights];
  let words = bags(checked, "checked");
  if (weights.size === 1 && weight != null) words += `, ${weight} kg${checked === 1 ? "" : " each"}`;
  if (carryOn === 1) words += ", plus carry-on";
  else if (carryOn > 1) words += `, plus ${bags(carryOn, "carry-on")}`;
  return words;
}

export interface FlightBaggage {
  flight: string;
  words: string;
}

/** The words for each flight of an offer; one entry for all when every flight says the same. */
export function offerBaggage(slices: Schemas["Slice"][]): FlightBaggage[] {
  const flights = slices.flatMap((slice) =>
    slice.segments.map((segment) => ({
      flight: `${segment.flight_number} ${segment.origin} → ${segment.destination}`,
      words: baggageWords(segment.baggages),
    })),
  );
  const first = flights[0];
  if (first && flights.every((f) => f.words === first.words)) return [{ flight: "", words: first.words }];
  return flights;
}

/** How many of each passenger type an offer or an order carries (the offer's `passengers`). */
export interface PassengerMix {
  adults?: number;
  children?: number;
  infants?: number;
}

/** The mix of an order's passenger list. */
export function mixOf(passengers: { type: string }[]): PassengerMix {
  const count = (type: string) => passengers.filter((p) => p.type === type).length;
  return { adults: count("adult"), children: count("child"), infants: count("infant") };
}

/**
 * Whom the segments' `baggages` are for: each passenger with a seat. The API states one
 * allowance per segment and nothing of an infant's; an infant on a lap usually has none or a
 * smaller one, so "for each of the 3 passengers" (counting the infant) promised bags the airline
 * may refuse. Returns how many have a seat, or `null` when there is no infant: every passenger
 * has one and the words need not say so (INFANT_BAGGAGE says what is known of the infants).
 */
export const INFANT_BAGGAGE =
  "Infants on a lap: the airline has not told us which bags, if any, are included for them (often none, or one small bag). Ask the airline before you fly.";

export function seatedOnly({ adults = 1, children = 0, infants = 0 }: PassengerMix): number | null {
  return infants === 0 ? null : adults + children;
}
