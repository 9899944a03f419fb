import type { Schemas } from "../../lib/api/client";
import { localDate } from "../../lib/format";
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

type Flown = { segments: { departing_at: string }[] }[];

/**
 * What the airline asks of a child's or an infant's age, said under their date of birth before
 * the API refuses it (booking/validation.py `age_problem`): a child is 2 to 11 on the day the
 * first flight leaves, an infant under 2 on the day the last one leaves. Nothing for an adult.
 */
export function ageRule(type: PassengerType, slices: Flown): string | undefined {
  const first = slices[0]?.segments[0]?.departing_at;
  const last = slices[slices.length - 1]?.segments.at(-1)?.departing_at;
  if (!first || !last) return undefined;
  const oneDay = first.slice(0, 10) === last.slice(0, 10);
  if (type === "child") return `Aged 2 to 11 on ${localDate(first)}, when the ${oneDay ? "" : "first "}flight leaves`;
  if (type === "infant") return `Under 2 on ${localDate(last)}, when the ${oneDay ? "" : "last "}flight leaves`;
  return undefined;
}
