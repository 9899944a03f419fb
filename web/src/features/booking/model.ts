import type { Schemas } from "../../lib/api/client";
import { phoneToSend } from "../../lib/phone";

export type PassengerType = Schemas["Passenger"]["type"];

export interface PassengerDraft {
  type: PassengerType;
  given_name: string;
  family_name: string;
  born_on: string;
  gender: "" | Schemas["Passenger"]["gender"];
  email: string;
  phone_number: string;
  traveler_id: string; // one of the saved travelers ("" : typed in): the API copies their details
  /** An infant's: the index of the adult whose lap they fly on (one infant per adult); null for
   * the others. Sent as that adult's `infant_passenger_id`. */
  held_by: number | null;
}

/** One draft per traveler of the offer, adults first, each infant on the lap of the adult of
 * the same rank (the first infant on the first adult's…, as the API pairs them); the first is
 * prefilled. */
export function drafts(
  counts: { adults?: number; children?: number; infants?: number },
  first: { given_name?: string; family_name?: string; email?: string; phone_number?: string },
): PassengerDraft[] {
  const types: PassengerType[] = [
    ...Array<PassengerType>(counts.adults ?? 1).fill("adult"),
    ...Array<PassengerType>(counts.children ?? 0).fill("child"),
    ...Array<PassengerType>(counts.infants ?? 0).fill("infant"),
  ];
  const adults = counts.adults ?? 1;
  const seated = adults + (counts.children ?? 0);
  return types.map((type, index) => ({
    type,
    given_name: index === 0 ? (first.given_name ?? "") : "",
    family_name: index === 0 ? (first.family_name ?? "") : "",
    born_on: "",
    gender: "",
    email: index === 0 ? (first.email ?? "") : "",
    phone_number: index === 0 ? (first.phone_number ?? "") : "",
    traveler_id: "",
    held_by: type === "infant" && index - seated < adults ? index - seated : null,
  }));
}

/** `list` with the infant at `infant` on the lap of the adult at `adult`; the infant that adult
 * held, if any, takes the lap the first one leaves (one infant per adult, always). */
export function holdInfant(list: PassengerDraft[], infant: number, adult: number): PassengerDraft[] {
  const left = list[infant]?.held_by ?? null;
  return list.map((p, i) => {
    if (i === infant) return { ...p, held_by: adult };
    if (p.type === "infant" && p.held_by === adult) return { ...p, held_by: left };
    return p;
  });
}

/** The adults an infant may fly on, with the words that name them in a list. */
export function lapHolders(list: PassengerDraft[]): { index: number; name: string }[] {
  return list.flatMap((p, index) => {
    if (p.type !== "adult") return [];
    const name = `${p.given_name.trim()} ${p.family_name.trim()}`.trim();
    return [{ index, name: name || `Passenger ${index + 1} (adult)` }];
  });
}

/** What `POST /v1/orders` takes; empty optional fields are left out (the API checks the rest). */
export function toPassengers(list: PassengerDraft[]): Schemas["CreateOrderRequest"]["passengers"] {
  const contact = (p: PassengerDraft) => ({
    ...(p.email.trim() ? { email: p.email.trim() } : {}),
    ...(p.phone_number.trim() ? { phone_number: phoneToSend(p.phone_number) } : {}),
  });
  // The infant on an adult's lap, named on the adult as the API takes it (`pas_N`: N-th passenger).
  const lap = (adult: number) => {
    const infant = list.findIndex((p) => p.type === "infant" && p.held_by === adult);
    return infant >= 0 ? { infant_passenger_id: `pas_${infant + 1}` } : {};
  };
  return list.map((p, index) => p.traveler_id ? { type: p.type, traveler_id: p.traveler_id, ...contact(p), ...lap(index) } : ({
    type: p.type,
    given_name: p.given_name.trim(),
    family_name: p.family_name.trim(),
    born_on: p.born_on,
    // Not chosen: left out, for the API to name beside the select ("x" booked them as X unasked).
    ...(p.gender ? { gender: p.gender } : {}),
    ...contact(p),
    ...lap(index),
  }) as Schemas["Passenger"]); // its gender may be missing, on purpose (above)
}

/** `passengers[1].born_on` → `p1-born_on`, the form's name for that field. */
export function passengerFieldFor(apiField: string): string | undefined {
  const match = /^passengers\[(\d+)\]\.(given_name|family_name|born_on|gender|email|phone_number|type|traveler_id)$/.exec(apiField);
  return match ? `p${match[1]}-${match[2]}` : undefined;
}
