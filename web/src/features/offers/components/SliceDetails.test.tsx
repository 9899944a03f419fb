// @vitest-environment jsdom
import { cleanup, render, screen } from "@testing-library/react";
import { afterEach, expect, it } from "vitest";

import type { Schemas } from "../../../lib/api/client";
import { SliceDetails } from "./SliceDetails";

afterEach(cleanup);

const segment = (flight: string, aircraft: string): Schemas["Segment"] => ({
  marketing_carrier: flight.slice(0, 2),
  flight_number: flight,
  origin: "LHR",
  destination: "JFK",
  departing_at: "2026-12-20T08:25:00",
  arriving_at: "2026-12-20T11:35:00",
  aircraft,
  cabin_class: "premium_economy",
});

const slice = (segments: Schemas["Segment"][]): Schemas["Slice"] => ({ origin: "LHR", destination: "JFK", duration: "PT8H10M", segments });

it("names the aircraft the airline sent as a code", () => {
  render(<SliceDetails slice={slice([segment("BA117", "789")])} />);
  expect(screen.getByText("BA117 · Boeing 787-9 · premium economy · local times")).toBeTruthy();
  expect(screen.queryByText(/aircraft 789/)).toBeNull();
});

it("shows a code it does not know as sent, and nothing for none", () => {
  render(<SliceDetails slice={slice([segment("BA117", "744"), segment("BA118", "")])} />);
  expect(screen.getByText("BA117 · aircraft 744 · premium economy · local times")).toBeTruthy();
  expect(screen.getByText("BA118 · premium economy · local times")).toBeTruthy();
});
