import { expect, it } from "vitest";

import { drafts, holdInfant, passengerFieldFor, toPassengers } from "./model";

it("books a saved traveler by id with the contact typed, and the others in full", () => {
  const [first, second] = drafts({ adults: 2 }, { given_name: "Ada", email: "ada@example.com", phone_number: "+4420" });
  if (!first || !second) throw new Error("two drafts");
  const chosen = { ...second, traveler_id: "trv_1", given_name: "Charles", family_name: "Babbage", born_on: "1991-12-26", gender: "m" as const };
  expect(toPassengers([{ ...first, family_name: "Lovelace", born_on: "1990-12-10", gender: "f" }, chosen])).toEqual([
    { type: "adult", given_name: "Ada", family_name: "Lovelace", born_on: "1990-12-10", gender: "f", email: "ada@example.com", phone_number: "+4420" },
    { type: "adult", traveler_id: "trv_1" },
  ]);
  expect(passengerFieldFor("passengers[1].traveler_id")).toBe("p1-traveler_id");
});

it("leaves a gender not chosen out, for the API to name it, rather than booking Unspecified (X)", () => {
  // "Choose…" was sent as "x": a traveler whose passport says F or M was booked as X unasked.
  const [first] = drafts({ adults: 1 }, { given_name: "Ada", family_name: "Lovelace", email: "ada@example.com" });
  if (!first) throw new Error("one draft");
  expect(toPassengers([{ ...first, born_on: "1990-12-10" }])).toEqual([
    { type: "adult", given_name: "Ada", family_name: "Lovelace", born_on: "1990-12-10", email: "ada@example.com" },
  ]);
});

it("sends a phone number typed with spaces as the API takes it", () => {
  const [first] = drafts({ adults: 1 }, { given_name: "Ada", family_name: "Lovelace", email: "ada@example.com" });
  if (!first) throw new Error("one draft");
  const typed = { ...first, born_on: "1990-12-10", gender: "f" as const, phone_number: "+44 20 7183 8750" };
  expect(toPassengers([typed])[0]).toMatchObject({ phone_number: "+442071838750" });
});

it("puts each infant on the lap of the adult of the same rank, and sends it on that adult", () => {
  const list = drafts({ adults: 2, children: 1, infants: 2 }, {});
  expect(list.map((p) => p.held_by)).toEqual([null, null, null, 0, 1]);
  const sent = toPassengers(list);
  expect(sent.map((p) => ("infant_passenger_id" in p ? p.infant_passenger_id : undefined))).toEqual(["pas_4", "pas_5", undefined, undefined, undefined]);
});

it("moving an infant to an adult who holds another gives that one the lap left, so no adult holds two", () => {
  const list = drafts({ adults: 2, infants: 2 }, {});
  const moved = holdInfant(list, 2, 1);
  expect(moved.map((p) => p.held_by)).toEqual([null, null, 1, 0]);
  expect(toPassengers(moved).map((p) => ("infant_passenger_id" in p ? p.infant_passenger_id : undefined))).toEqual(["pas_4", "pas_3", undefined, undefined]);
  // One infant, two adults: the other adult is simply free.
  const one = holdInfant(drafts({ adults: 2, infants: 1 }, {}), 2, 1);
  expect(toPassengers(one).map((p) => ("infant_passenger_id" in p ? p.infant_passenger_id : undefined))).toEqual([undefined, "pas_3", undefined]);
});

it("a saved traveler holding an infant is sent with the infant's id", () => {
  const [adult, infant] = drafts({ adults: 1, infants: 1 }, {});
  if (!adult || !infant) throw new Error("two drafts");
  expect(toPassengers([{ ...adult, traveler_id: "trv_1" }, infant])[0]).toEqual({ type: "adult", traveler_id: "trv_1", infant_passenger_id: "pas_2" });
});
