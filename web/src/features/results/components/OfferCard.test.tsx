// @vitest-environment jsdom
import { cleanup, render, screen } from "@testing-library/react";
import { afterEach, expect, it } from "vitest";

import type { Offer } from "../../../lib/api/client";
import { OfferCard } from "./OfferCard";

afterEach(cleanup);

function offer(passengers: Offer["passengers"]): Offer {
  const segment = {
    marketing_carrier: "BA",
    flight_number: "BA117",
    origin: "LHR",
    destination: "JFK",
    departing_at: "2026-12-20T08:00:00",
    arriving_at: "2026-12-20T11:00:00",
    aircraft: "789",
    cabin_class: "economy" as const,
  };
  return {
    id: "off_1",
    total_amount: "923.20",
    total_currency: "USD",
    base_amount: "760.00",
    tax_amount: "163.20",
    owner: { iata_code: "BA", name: "Britannia" },
    source: "rest-britannia",
    expires_at: "",
    seats_remaining: 9,
    conditions: { refundable: false, changeable: false },
    slices: [{ origin: "LHR", destination: "JFK", duration: "PT8H", segments: [segment] }],
    passengers,
  };
}

it("says a family's price is the total for all of them", () => {
  render(<OfferCard offer={offer({ adults: 1, children: 1, infants: 1 })} onSelect={() => undefined} />);
  expect(screen.getByText("$923.20")).toBeTruthy();
  expect(screen.getByText("total for 3 passengers")).toBeTruthy();
});

it("adds nothing for one traveler", () => {
  render(<OfferCard offer={offer({ adults: 1 })} onSelect={() => undefined} />);
  expect(screen.queryByText(/total for/)).toBeNull();
});
