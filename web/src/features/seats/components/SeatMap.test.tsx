// @vitest-environment jsdom
import { cleanup, render, screen } from "@testing-library/react";
import { afterEach, expect, it } from "vitest";

import type { Schemas } from "../../../lib/api/client";
import { layoutCabin } from "../layout";
import { SeatMap } from "./SeatMap";

afterEach(cleanup);

const free = (designator: string): Schemas["Element"] => ({
  type: "seat",
  designator,
  available: true,
  characteristics: [],
  available_services: ["pas_1", "pas_2", "pas_3"].map((p) => ({ id: `ase_${p}`, passenger_id: p, total_amount: "0.00", total_currency: "USD" })),
});

const cabin: Schemas["Cabin"] = {
  cabin_class: "economy",
  deck: 0,
  aisles: 1,
  wings: null,
  rows: [{ sections: [{ elements: [free("20A"), free("20B")] }, { elements: [free("20C"), free("20D")] }] }],
};

it("shows whose each chosen seat is when a family's initials are the same", () => {
  const passengers = [
    { id: "pas_1", name: "Wally Walker" },
    { id: "pas_2", name: "Wilma Walker" },
    { id: "pas_3", name: "Wes Walker" },
  ];
  render(
    <SeatMap
      layout={layoutCabin(cabin)}
      caption="Seats"
      passenger="pas_1"
      seated={{ pas_1: "20A", pas_2: "20B", pas_3: "20D" }}
      passengers={passengers}
      onChoose={() => undefined}
    />,
  );
  // Each was "WW": three seats marked alike.
  expect(screen.getByRole("button", { name: /^Seat 20A/ }).textContent).toBe("Wa");
  expect(screen.getByRole("button", { name: /^Seat 20B/ }).textContent).toBe("Wi");
  expect(screen.getByRole("button", { name: /^Seat 20D/ }).textContent).toBe("We");
  expect(screen.getByRole("button", { name: /^Seat 20C/ }).textContent).toBe("C");
});

it("marks the free seats where the traveler's profile says they like to sit, and starts on the first", () => {
  const at = (designator: string, position: "window" | "aisle"): Schemas["Element"] => ({ ...free(designator), characteristics: [position] });
  const row = [at("20A", "window"), at("20B", "aisle"), at("20C", "aisle"), at("20D", "window")];
  const positioned: Schemas["Cabin"] = { ...cabin, rows: [{ sections: [{ elements: row.slice(0, 2) }, { elements: row.slice(2) }] }] };
  render(
    <SeatMap
      layout={layoutCabin(positioned)}
      caption="Seats"
      passenger="pas_1"
      seated={{ pas_2: "20B" }}
      passengers={[{ id: "pas_1", name: "Ada Lovelace" }, { id: "pas_2", name: "Charles Babbage" }]}
      preferred="aisle"
      onChoose={() => undefined}
    />,
  );
  const seat = (designator: string) => screen.getByRole("button", { name: new RegExp(`^Seat ${designator}`) });
  // 20B is an aisle seat, but taken by the other passenger: 20C is the first one free.
  expect(seat("20C").className).toContain("seat-preferred");
  expect(seat("20C").tabIndex).toBe(0);
  expect(seat("20B").className).not.toContain("seat-preferred");
  expect(seat("20A").className).not.toContain("seat-preferred");
  expect(seat("20A").tabIndex).toBe(-1);
});
