// @vitest-environment jsdom
import { cleanup, render, screen } from "@testing-library/react";
import { afterEach, expect, it } from "vitest";

import type { ChangeOffer } from "../api/changes";
import { ChangeOfferCard, sliceLine } from "./ChangeOfferCard";

afterEach(cleanup);

const segment = (flight: string, departing: string, arriving: string) => ({
  origin: "LHR",
  destination: "JFK",
  departing_at: departing,
  arriving_at: arriving,
  flight_number: flight,
});
const offer = (flight: string, departing: string, arriving: string) =>
  ({
    id: `och_${flight}`,
    slice: { origin: "LHR", destination: "JFK", duration: "PT7H45M", segments: [segment(flight, departing, arriving)] },
    fare_difference_amount: "-286.72",
    fare_difference_currency: "USD",
    penalty_total_amount: "335.80",
    penalty_total_currency: "USD",
    change_total_amount: "49.08",
    change_total_currency: "USD",
    new_total_amount: "3882.04",
    new_total_currency: "USD",
  }) as unknown as ChangeOffer;

it("names each Choose for its flight, as the results name each Select", () => {
  const offers = [offer("AA237", "2027-01-16T17:45:00", "2027-01-16T20:30:00"), offer("BA208", "2027-01-16T16:55:00", "2027-01-16T19:40:00")];
  render(
    <ul>
      {offers.map((o) => (
        <ChangeOfferCard key={o.id} offer={o} onChoose={() => undefined} />
      ))}
    </ul>,
  );
  // A screen reader's list of buttons said "Choose" twice.
  expect(screen.getByRole("button", { name: "Choose 17:45 LHR → 20:30 JFK, Sat 16 Jan 2027 · non-stop · 7h 45m · AA237" })).toBeTruthy();
  expect(screen.getByRole("button", { name: /^Choose 16:55 LHR → 19:40 JFK.* · BA208$/ })).toBeTruthy();
});

it("says non-stop as the results and the offer page do", () => {
  expect(sliceLine(offer("AA237", "2027-01-16T17:45:00", "2027-01-16T20:30:00").slice)).toContain("· non-stop ·");
});

it("marks a flight that lands the next day, as the results do (01:55 read as before take-off)", () => {
  const overnight = offer("LH346", "2027-01-27T23:00:00", "2027-01-28T01:55:00").slice;
  expect(sliceLine(overnight)).toMatch(/^23:00 LHR → 01:55 \+1 JFK, Wed 27 Jan 2027 · /);
});
