import type { Order } from "../../lib/api/client";

type Traveler = Pick<Order["passengers"][number], "type" | "given_name" | "infant_passenger_id">;

/**
 * How a passenger travels, said beside their name where it is not a seat of their own: an
 * infant flies on the lap of the adult the order names (`infant_passenger_id` on the adult,
 * `pas_N` the N-th passenger), "(infant, on Ada’s lap)". "(infant, on a lap)" where no adult
 * names them (an answer without it). Nothing for a seated passenger.
 */
export function lapWords(passengers: readonly Traveler[], index: number): string {
  if (passengers[index]?.type !== "infant") return "";
  const id = `pas_${index + 1}`;
  const holder = passengers.find((p) => p.type === "adult" && p.infant_passenger_id === id)?.given_name.trim();
  return holder ? ` (infant, on ${holder}’s lap)` : " (infant, on a lap)";
}
