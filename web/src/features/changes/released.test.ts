import { expect, it } from "vitest";

import type { Order } from "../../lib/api/client";
import { segmentIdOf } from "../seats";
import { seatsReleased } from "./released";

const flight = (number: string, day: string) => ({
  marketing_carrier: "AA", flight_number: number, origin: "LHR", destination: "JFK",
  departing_at: `${day}T17:45:00`, arriving_at: `${day}T20:30:00`, aircraft: "789", cabin_class: "premium_economy" as const,
});
const out = flight("AA237", "2027-01-15");
const back = { ...flight("AA205", "2027-01-22"), origin: "JFK", destination: "LHR" };
const order = {
  slices: [{ segments: [out] }, { segments: [back] }],
  passengers: [{ given_name: "Ada", family_name: "Lovelace" }, { given_name: "Charles", family_name: "Babbage" }],
  seats: [
    { segment_id: segmentIdOf(out), passenger_id: "pas_2", designator: "14E", total_amount: "0", total_currency: "USD" },
    { segment_id: segmentIdOf(back), passenger_id: "pas_1", designator: "3A", total_amount: "0", total_currency: "USD" },
  ],
} as unknown as Order;

it("names the seats a change of this flight releases, by passenger, before it is confirmed", () => {
  expect(seatsReleased(order, 0)).toBe("14E for Charles Babbage");
  expect(seatsReleased(order, 1)).toBe("3A for Ada Lovelace");
  expect(seatsReleased({ ...order, seats: [] }, 0)).toBeNull();
});
