import type { Order } from "../../lib/api/client";

type Traveler = Pick<Order["passengers"][number], "type" | "given_name">;

/**
 * How a passenger travels, said beside their name where it is not a seat of their own: an
 * infant flies on an adult's lap. The API does not record whose lap (only one infant per adult),
 * so an adult is named only when there is one; otherwise "(infant, on a lap)". Nothing for
 * a seated passenger.
 */
export function lapWords(passengers: readonly Traveler[], index: number): string {
  if (passengers[index]?.type !== "infant") return "";
  const adults = passengers.filter((p) => p.type === "adult");
  const holder = adults.length === 1 ? adults[0]?.given_name.trim() : "";
  return holder ? ` (infant, on ${holder}’s lap)` : " (infant, on a lap)";
}
