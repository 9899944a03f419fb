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
}

/** One draft per seated traveler of the offer, adults first; the first is prefilled. */
export function drafts(
  counts: { adults?: number; children?: number; infants?: number },
  first: { given_name?: string; family_name?: string; email?: string; phone_number?: string },
): PassengerDraft[] {
  const types: PassengerType[] = [
    ...Array<PassengerType>(counts.adults ?? 1).fill("adult"),
    ...Array<PassengerType>(counts.children ?? 0).fill("child"),
    ...Array<PassengerType>(counts.infants ?? 0).fill("infant"),
  ];
  return types.map((type, index) => ({
    type,
    given_name: index === 0 ? (first.given_name ?? "") : "",
    family_name: index === 0 ? (first.family_name ?? "") : "",
    born_on: "",
    gender: "",
    email: index === 0 ? (first.email ?? "") : "",
    phone_number: index === 0 ? (first.phone_number ?? "") : "",
    traveler_id: "",
  }));
}

/** What `POST /v1/orders` takes; empty optional fields are left out (the API checks the rest). */
export function toPassengers(list: PassengerDraft[]): Schemas["CreateOrderRequest"]["passengers"] {
  const contact = (p: PassengerDraft) => ({
    ...(p.email.trim() ? { email: p.email.trim() } : {}),
    ...(p.phone_number.trim() ? { phone_number: phoneToSend(p.phone_number) } : {}),
  });
  return list.map((p) => p.traveler_id ? { type: p.type, traveler_id: p.traveler_id, ...contact(p) } : ({
    type: p.type,
    given_name: p.given_name.trim(),
    family_name: p.family_name.trim(),
    born_on: p.born_on,
    // Not chosen: left out, for the API to name beside the select ("x" booked them as X unasked).
    ...(p.gender ? { gender: p.gender } : {}),
    ...contact(p),
  }) as Schemas["Passenger"]); // its gender may be missing, on purpose (above)
}

/** `passengers[1].born_on` → `p1-born_on`, the form's name for that field. */
export function passengerFieldFor(apiField: string): string | undefined {
  const match = /^passengers\[(\d+)\]\.(given_name|family_name|born_on|gender|email|phone_number|type|traveler_id)$/.exec(apiField);
  return match ? `p${match[1]}-${match[2]}` : undefined;
}
