// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, within } from "@testing-library/react";
import { afterEach, expect, it } from "vitest";

import { SeatPicker } from "./SeatPicker";

afterEach(cleanup);

it("dates each flight as the trip's other pages do", () => {
  const map = {
    segment_id: "seg_1",
    marketing_carrier: "AA",
    flight_number: "AA237",
    origin: "LHR",
    destination: "JFK",
    departure_date: "2027-01-14",
    aircraft: "789",
    cabins: [],
    disclosures: [],
  };
  render(<SeatPicker maps={{ seat_maps: [map] }} passengers={[{ id: "pas_1", name: "Ada Lovelace" }]} held={undefined} choices={{}} onChange={() => undefined} />);
  // It said "AA237 · 2027-01-14 · Boeing 787-9" where the offer and the trip say "Thu 14 Jan 2027".
  expect(screen.getByRole("heading", { name: "Flight 1: LHR → JFK, AA237, Thu 14 Jan 2027" })).toBeTruthy();
  expect(screen.getByText("Boeing 787-9")).toBeTruthy();
});

it("says which flight each map is for in the names a screen reader hears: its section, passengers and grid", () => {
  const seat = { type: "seat", designator: "1A", available: true, characteristics: [], available_services: [] };
  const map = (segment: string, origin: string, destination: string, flight: string, day: string) => ({
    segment_id: segment,
    marketing_carrier: "BA",
    flight_number: flight,
    origin,
    destination,
    departure_date: day,
    aircraft: "777",
    cabins: [{ cabin_class: "economy", deck: 0, aisles: 1, wings: null, rows: [{ sections: [{ elements: [seat] }, { elements: [] }] }] }],
    disclosures: [],
  });
  const maps = { seat_maps: [map("seg_1", "LHR", "JFK", "BA117", "2027-01-12"), map("seg_2", "JFK", "LHR", "BA112", "2027-01-19")] };
  render(<SeatPicker maps={maps as never} passengers={[{ id: "pas_1", name: "Ada Lovelace" }]} held={undefined} choices={{}} onChange={() => undefined} />);

  // Was "Flight 2: JFK → LHR", a group "Choosing a seat for" on every flight, a grid without its day.
  const back = screen.getByRole("region", { name: "Flight 2: JFK → LHR, BA112, Tue 19 Jan 2027" });
  expect(within(back).getByRole("group", { name: "Choosing a seat on BA112 for" })).toBeTruthy();
  expect(within(back).getByRole("table").querySelector("caption")?.textContent).toMatch(/^Seats on flight 2, JFK → LHR, BA112, Tue 19 Jan 2027: /);
});

it("tells a screen reader whose seat was chosen and who chooses next", () => {
  // Walked with a screen reader's eye: choosing 15C for Alan moved the choice to Joan without a
  // word; the seat's button only changed its name.
  const seat = (designator: string) => ({ type: "seat", designator, available: true, characteristics: [], available_services: [{ id: `ase_${designator}`, passenger_id: "pas_1", total_amount: "0.00", total_currency: "USD" }, { id: `ase2_${designator}`, passenger_id: "pas_2", total_amount: "0.00", total_currency: "USD" }] });
  const map = {
    segment_id: "seg_1", marketing_carrier: "AA", flight_number: "AA237", origin: "LHR", destination: "JFK",
    departure_date: "2027-01-21", aircraft: "789", disclosures: [],
    cabins: [{ cabin_class: "premium_economy", deck: 0, aisles: 1, wings: null, rows: [{ sections: [{ elements: [seat("15C")] }, { elements: [seat("15D")] }] }] }],
  };
  const passengers = [{ id: "pas_1", name: "Alan Turing" }, { id: "pas_2", name: "Joan Clarke" }];
  let choices = {};
  const { rerender } = render(<SeatPicker maps={{ seat_maps: [map] } as never} passengers={passengers} held={undefined} choices={choices} onChange={(c) => (choices = c)} />);
  fireEvent.click(screen.getByRole("button", { name: /^Seat 15C,/ }));
  rerender(<SeatPicker maps={{ seat_maps: [map] } as never} passengers={passengers} held={undefined} choices={choices} onChange={(c) => (choices = c)} />);
  const region = screen.getByRole("region", { name: /^Flight 1:/ });
  expect(within(region).getByRole("status").textContent).toBe("Seat 15C chosen for Alan Turing. Now choosing for Joan Clarke.");
  expect(screen.getByRole("radio", { name: /^Joan Clarke/ })).toHaveProperty("checked", true);
});
