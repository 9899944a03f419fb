// @vitest-environment jsdom
import { cleanup, render, screen, within } from "@testing-library/react";
import { afterEach, expect, it } from "vitest";

import type { Schemas } from "../../../lib/api/client";
import { BaggageAllowance } from "./BaggageAllowance";

afterEach(cleanup);

type Bags = Schemas["Segment"]["baggages"];

function slice(origin: string, destination: string, flights: [string, Bags][]): Schemas["Slice"] {
  return {
    origin,
    destination,
    duration: "PT8H",
    segments: flights.map(([flight, baggages]) => ({
      marketing_carrier: flight.slice(0, 2),
      flight_number: flight,
      origin,
      destination,
      departing_at: "2026-12-20T08:25:00",
      arriving_at: "2026-12-20T11:35:00",
      aircraft: "777",
      cabin_class: "economy",
      baggages,
    })),
  };
}

const checked = (quantity: number, max_weight_kg?: number) => ({ type: "checked" as const, quantity, max_weight_kg });
const carryOn = { type: "carry_on" as const, quantity: 1 };

it("says once what the fare includes when every flight includes the same", () => {
  const slices = [slice("LHR", "JFK", [["BA117", [checked(1, 23), carryOn]]]), slice("JFK", "LHR", [["BA112", [checked(1, 23), carryOn]]])];
  render(<BaggageAllowance slices={slices} passengers={{ adults: 1 }} />);
  const region = screen.getByRole("region", { name: "Baggage" });
  expect(within(region).getByText("Included in your fare: 1 checked bag, 23 kg, plus carry-on")).toBeTruthy();
});

it("names each flight, for each passenger, when the flights differ", () => {
  const slices = [slice("LHR", "JFK", [["BA117", [checked(2, 32)]]]), slice("JFK", "LHR", [["AA100", [carryOn]]])];
  render(<BaggageAllowance slices={slices} passengers={{ adults: 1, children: 1 }} />);
  const region = screen.getByRole("region", { name: "Baggage" });
  expect(within(region).getByText("Included for each of the 2 passengers, by flight:")).toBeTruthy();
  const flights = within(region).getAllByRole("listitem").map((item) => item.textContent);
  expect(flights).toEqual(["BA117 LHR → JFK: 2 checked bags, 32 kg each", "AA100 JFK → LHR: carry-on only"]);
});

it("says the airline did not tell, rather than guessing", () => {
  render(<BaggageAllowance slices={[slice("LHR", "JFK", [["XY1", null]])]} passengers={{ adults: 1 }} />);
  expect(screen.getByRole("region", { name: "Baggage" }).textContent).toContain("The airline has not told us which bags are included");
});

it("promises the bags only to passengers with a seat, and says the airline told us nothing of an infant's", () => {
  const slices = [slice("LHR", "JFK", [["BA117", [checked(1, 23), carryOn]]])];
  render(<BaggageAllowance slices={slices} passengers={{ adults: 2, infants: 1 }} />);
  const region = screen.getByRole("region", { name: "Baggage" });
  // Was: "Included for each of the 3 passengers", the infant on a lap counted among them.
  expect(within(region).getByText("Included for each of the 2 passengers with a seat: 1 checked bag, 23 kg, plus carry-on")).toBeTruthy();
  expect(region.textContent).toContain("Infants on a lap: the airline has not told us which bags, if any, are included for them");
});

it("says nothing of infants when none travels", () => {
  render(<BaggageAllowance slices={[slice("LHR", "JFK", [["BA117", [carryOn]]])]} passengers={{ adults: 1 }} />);
  expect(screen.getByRole("region", { name: "Baggage" }).textContent).not.toMatch(/infant|with a seat/i);
});
