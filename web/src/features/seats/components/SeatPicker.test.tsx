// @vitest-environment jsdom
import { cleanup, render, screen } from "@testing-library/react";
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
  expect(screen.getByText("AA237 · Thu 14 Jan 2027 · Boeing 787-9")).toBeTruthy();
});
