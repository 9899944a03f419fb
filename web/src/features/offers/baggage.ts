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
