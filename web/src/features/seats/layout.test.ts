import { describe, expect, it } from "vitest";

import type { Schemas } from "../../lib/api/client";
import { changedServices, choose, occupantOf, seatLabel, sumPrices } from "./choices";
import { type CabinLayout, layoutCabin, moveFrom, type Seat, seatsIn, segmentIdOf, splitDesignator } from "./layout";

type Element = Schemas["Element"];

const usd = (passenger: string, amount: string) => ({
  id: `ase_${passenger}_${amount}`,
  passenger_id: passenger,
  total_amount: amount,
  total_currency: "USD",
});

function seat(designator: string, characteristics: string[], services: ReturnType<typeof usd>[] = []): Element {
  return { type: "seat", designator, available: services.length > 0, characteristics, available_services: services };
}

/** A small narrow-body economy cabin as the API draws it: a galley/lavatory row, row 10, an
 * exit row 11 (children may not sit there), and a short last row 12. */
const cabin: Schemas["Cabin"] = {
  cabin_class: "economy",
  deck: 0,
  aisles: 1,
  wings: { first_row_index: 2, last_row_index: 2 },
  rows: [
    { sections: [{ elements: [{ type: "galley" }] }, { elements: [{ type: "lavatory" }] }] },
    {
      sections: [
        { elements: [seat("10A", ["window"], [usd("pas_1", "12.00")]), seat("10B", []), seat("10C", ["aisle"], [usd("pas_1", "12.00")])] },
        { elements: [seat("10D", ["aisle"], [usd("pas_1", "12.00"), usd("pas_2", "9.00")]), seat("10E", [], [usd("pas_1", "0.00"), usd("pas_2", "0.00")]), seat("10F", ["window"])] },
      ],
    },
    {
      sections: [
        { elements: [{ type: "exit_row" }, seat("11A", ["window", "extra_legroom", "exit_row"], [usd("pas_1", "45.00")]), seat("11B", ["extra_legroom", "exit_row"]), seat("11C", ["aisle", "exit_row"])] },
        { elements: [seat("11D", ["aisle", "exit_row"]), seat("11E", ["exit_row"]), seat("11F", ["window", "exit_row"]), { type: "exit_row" }] },
      ],
    },
    {
      sections: [
        { elements: [seat("12A", ["window"], [usd("pas_1", "12.00")]), { type: "empty" }, { type: "empty" }] },
        { elements: [{ type: "empty" }, { type: "empty" }, { type: "empty" }] },
      ],
    },
  ],
};

const seatRow = (layout: CabinLayout, index: number) => {
  const row = layout.rows[index];
  if (row?.kind !== "seats") throw new Error(`row ${index} has no seats`);
  return row;
};

describe("layoutCabin", () => {
  const layout = layoutCabin(cabin);

  it("draws a column per seat letter with an aisle between the sections", () => {
    expect(layout.columns).toEqual(["A", "B", "C", null, "D", "E", "F"]);
    expect(seatRow(layout, 1).cells.map((c) => (c.kind === "seat" ? c.designator : c.kind))).toEqual([
      "10A", "10B", "10C", "aisle", "10D", "10E", "10F",
    ]);
  });

  it("keeps exits as a flag of their row, never as a column", () => {
    const exit = seatRow(layout, 2);
    expect(exit.exit).toBe(true);
    expect(exit.number).toBe(11);
    expect(exit.cells).toHaveLength(7);
    expect(seatRow(layout, 1).exit).toBe(false);
  });

  it("spans the facilities of a row without seats over their sections", () => {
    expect(layout.rows[0]).toEqual({
      kind: "facilities",
      wing: false,
      items: [
        { type: "galley", start: 0, span: 3 },
        { type: "lavatory", start: 4, span: 3 },
      ],
    });
  });

  it("marks the rows over the wings and fills a short row with gaps", () => {
    expect(seatRow(layout, 2).wing).toBe(true);
    expect(seatRow(layout, 1).wing).toBe(false);
    expect(seatRow(layout, 3).cells.filter((c) => c.kind === "empty")).toHaveLength(5);
  });

  it("reads each seat's position, extras and each passenger's price", () => {
    const seats = Object.fromEntries(seatsIn(layout).map((s) => [s.designator, s]));
    expect(seats["10A"]?.position).toBe("window");
    expect(seats["10D"]?.position).toBe("aisle");
    expect(seats["10E"]?.position).toBe("middle");
    expect(seats["11A"]).toMatchObject({ extraLegroom: true, exitRow: true });
    expect(seats["10D"]?.prices).toEqual({
      pas_1: { amount: "12.00", currency: "USD" },
      pas_2: { amount: "9.00", currency: "USD" },
    });
    expect(seats["10B"]?.prices).toEqual({}); // taken
  });

  it("lets the order's own seat be chosen again by its passenger at the price paid", () => {
    const held = layoutCabin(cabin, { "10B": { passengerId: "pas_2", price: { amount: "0.00", currency: "USD" } } });
    const own = seatsIn(held).find((s) => s.designator === "10B");
    expect(own?.prices).toEqual({ pas_2: { amount: "0.00", currency: "USD" } });
  });
});

describe("moveFrom (arrow keys)", () => {
  const layout = layoutCabin(cabin);

  it("steps across the aisle to the next seat", () => {
    expect(moveFrom(layout, "10C", "ArrowRight")).toBe("10D");
    expect(moveFrom(layout, "10D", "ArrowLeft")).toBe("10C");
  });

  it("steps over facility rows and gaps, and stays at an edge", () => {
    expect(moveFrom(layout, "10A", "ArrowUp")).toBe("10A");
    expect(moveFrom(layout, "10A", "ArrowDown")).toBe("11A");
    expect(moveFrom(layout, "11B", "ArrowDown")).toBe("11B"); // 12B is a gap: nothing behind
    expect(moveFrom(layout, "12A", "ArrowRight")).toBe("12A");
    expect(moveFrom(layout, "10F", "ArrowRight")).toBe("10F");
  });

  it("goes to the row's ends with Home and End, and ignores other keys", () => {
    expect(moveFrom(layout, "11D", "Home")).toBe("11A");
    expect(moveFrom(layout, "11B", "End")).toBe("11F");
    expect(moveFrom(layout, "11B", "Enter")).toBeNull();
    expect(moveFrom(layout, "99Z", "ArrowUp")).toBeNull();
  });
});

describe("choices", () => {
  it("gives a seat to a passenger, moves it from another, and gives it up when chosen again", () => {
    let chosen = choose({}, "seg_1", "pas_1", "10D");
    expect(chosen).toEqual({ seg_1: { pas_1: "10D" } });
    chosen = choose(chosen, "seg_1", "pas_2", "10D");
    expect(chosen).toEqual({ seg_1: { pas_2: "10D" } });
    expect(occupantOf(chosen, "seg_1", "10D")).toBe("pas_2");
    chosen = choose(chosen, "seg_1", "pas_2", "10D");
    expect(chosen).toEqual({ seg_1: {} });
  });

  it("sends only what changed from the seats the order holds", () => {
    const held = { seg_1: { pas_1: "10A" }, seg_2: { pas_1: "3C" } };
    const chosen = { seg_1: { pas_1: "10A", pas_2: "10B" }, seg_2: { pas_1: "4C" } };
    expect(changedServices(chosen, held)).toEqual([
      { type: "seat", segment_id: "seg_1", passenger_id: "pas_2", designator: "10B" },
      { type: "seat", segment_id: "seg_2", passenger_id: "pas_1", designator: "4C" },
    ]);
  });

  it("sums prices in cents", () => {
    const total = sumPrices(
      [
        { amount: "0.10", currency: "EUR" },
        { amount: "0.20", currency: "EUR" },
        { amount: "12", currency: "EUR" },
      ],
      "EUR",
    );
    expect(total).toEqual({ amount: "12.30", currency: "EUR" });
    expect(sumPrices([], "USD")).toEqual({ amount: "0.00", currency: "USD" });
  });
});

describe("seatLabel", () => {
  const seats = Object.fromEntries(seatsIn(layoutCabin(cabin)).map((s) => [s.designator, s])) as Record<string, Seat>;
  const ada = { id: "pas_1", name: "Ada Lovelace" };

  it("names the seat, its position and its price for the passenger choosing", () => {
    expect(seatLabel(seats["10A"] as Seat, "pas_1")).toBe("Seat 10A, window, $12.00");
    expect(seatLabel(seats["10E"] as Seat, "pas_1")).toBe("Seat 10E, middle seat, free");
    expect(seatLabel(seats["11A"] as Seat, "pas_1")).toBe("Seat 11A, window, extra legroom, exit row, $45.00");
  });

  it("says when a seat is taken, closed to this passenger, or chosen", () => {
    expect(seatLabel(seats["10B"] as Seat, "pas_1")).toBe("Seat 10B, middle seat, taken");
    expect(seatLabel(seats["11A"] as Seat, "pas_2")).toContain("not available to this passenger");
    expect(seatLabel(seats["10D"] as Seat, "pas_2", ada)).toBe("Seat 10D, aisle, chosen for Ada Lovelace, $9.00");
    expect(seatLabel(seats["10D"] as Seat, "pas_1", ada)).toBe("Seat 10D, aisle, your choice, $12.00");
  });

  it("splits a designator into row and letter", () => {
    expect(splitDesignator("14C")).toEqual({ row: 14, letter: "C" });
  });
});

describe("segmentIdOf", () => {
  it("names a flight on a date as the API does", () => {
    const segment = { flight_number: "AA237", origin: "LHR", destination: "JFK", departing_at: "2027-01-12T08:25:00" };
    expect(segmentIdOf(segment)).toBe("seg_QUEyMzc6TEhSSkZLOjIwMjctMDEtMTI");
  });
});
