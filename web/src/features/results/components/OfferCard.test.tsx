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
  expect(screen.getByText("total for 1 adult, 1 child, 1 infant")).toBeTruthy();
});

it("adds nothing for one traveler", () => {
  render(<OfferCard offer={offer({ adults: 1 })} onSelect={() => undefined} />);
  expect(screen.queryByText(/total for/)).toBeNull();
});

it("names each Select button by its offer: seller, flights, times and price", () => {
  const oneWay = offer({ adults: 1 });
  const home = {
    ...oneWay.slices[0]!,
    origin: "JFK",
    destination: "LHR",
    segments: [
      {
        ...oneWay.slices[0]!.segments[0]!,
        flight_number: "BA118",
        origin: "JFK",
        destination: "LHR",
        departing_at: "2026-12-27T18:30:00",
        arriving_at: "2026-12-28T06:40:00",
      },
    ],
  };
  const roundTrip = { ...oneWay, id: "off_2", total_amount: "1846.40", slices: [oneWay.slices[0]!, home] };
  render(
    <>
      <OfferCard offer={oneWay} onSelect={() => undefined} />
      <OfferCard offer={{ ...roundTrip, passengers: { adults: 2 } }} onSelect={() => undefined} />
    </>,
  );
  expect(screen.getByRole("button", { name: "Select Britannia: BA117 LHR 08:00 to JFK 11:00, non-stop; $923.20" })).toBeTruthy();
  expect(
    screen.getByRole("button", {
      name:
        "Select Britannia: BA117 LHR 08:00 to JFK 11:00, non-stop; " +
        "BA118 JFK 18:30 to LHR 06:40 (+1 day), non-stop; $1,846.40 for 2 adults",
    }),
  ).toBeTruthy();
  // the visible label stays the one word
  expect(screen.getAllByText("Select")).toHaveLength(2);
});

it.each([
  [{ refundable: false, changeable: false }, "Not refundable · No changes"],
  [{ refundable: true, changeable: false }, "Refundable · No changes"],
  [{ refundable: false, changeable: true }, "Not refundable · Changes allowed"],
])("says on the card whether the fare can be refunded and changed (%o)", (conditions, words) => {
  // Was: "· refundable" beside the airline when it was, nothing at all about changes.
  render(<OfferCard offer={{ ...offer({ adults: 1 }), conditions }} onSelect={() => undefined} />);
  expect(screen.getByRole("article").textContent).toContain(words);
});

it.each([
  [{ refundable: false, changeable: false }, "Not refundable · No changes"],
  [{ refundable: true, changeable: true }, "Refundable · Changes allowed"],
])("tells a screen reader on Select whether the fare can be refunded and changed (%o)", (conditions, words) => {
  // Was: the button said seller, flights and price, and nothing of the conditions the card shows.
  render(<OfferCard offer={{ ...offer({ adults: 1 }), conditions }} onSelect={() => undefined} />);
  expect(screen.getByRole("button", { name: /^Select Britannia: /, description: words })).toBeTruthy();
});
