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
