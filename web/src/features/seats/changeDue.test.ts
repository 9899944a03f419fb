import { describe, expect, it } from "vitest";

import type { Schemas } from "../../lib/api/client";
import type { OrderSeats } from "./api/seats";
import { changeDue } from "./components/SeatPicker";

const usd = (amount: string) => ({ id: `ase_${amount}`, passenger_id: "pas_1", total_amount: amount, total_currency: "USD" });
const seat = (designator: string, amount: string | null): Schemas["Element"] => ({
  type: "seat",
  designator,
  available: amount !== null,
  characteristics: [],
  available_services: amount === null ? [] : [usd(amount)],
});

// One row: 1A free, 1B $20, 1C $45; the passenger holds 1B (paid $20 after booking).
const maps = {
  seat_maps: [
    {
      segment_id: "seg_1",
      marketing_carrier: "BA",
      flight_number: "BA1",
      origin: "LHR",
      destination: "JFK",
      departure_date: "2027-01-20",
      aircraft: "789",
      cabins: [{ cabin_class: "economy", deck: 0, aisles: 0, wings: null, rows: [{ sections: [{ elements: [seat("1A", "0.00"), seat("1B", null), seat("1C", "45.00")] }] }] }],
    },
  ],
} as unknown as Schemas["SeatMapsResponse"];
const held: OrderSeats = {
  order_id: "ord_1",
  total_amount: "500.00",
  total_currency: "USD",
  seats: [{ segment_id: "seg_1", passenger_id: "pas_1", designator: "1B", total_amount: "20.00", total_currency: "USD" }],
};

describe("changeDue", () => {
  it("charges a dearer seat the difference from the seat it replaces", () => {
    expect(changeDue(maps, held, { seg_1: { pas_1: "1C" } })).toEqual({ amount: "25.00", currency: "USD" });
  });

  it("charges nothing for a cheaper seat (nothing is refunded) or for the seat already held", () => {
    expect(changeDue(maps, held, { seg_1: { pas_1: "1A" } })).toEqual({ amount: "0.00", currency: "USD" });
    expect(changeDue(maps, held, { seg_1: { pas_1: "1B" } })).toEqual({ amount: "0.00", currency: "USD" });
  });
});
