import { expect, it } from "vitest";

import type { Order } from "../../lib/api/client";
import { flightChange, seatsClosed, surelyBegun, surelyLeft } from "./amendable";

function order(fields: Partial<Order>): Order {
  return {
    id: "ord_1",
    booking_reference: "2CAQ8E",
    type: "hold",
    status: "confirmed",
    payment_status: "paid",
    payment_required_by: null,
    total_amount: "551.20",
    total_currency: "USD",
    slices: [],
    passengers: [],
    airline_locator: "DSBFH7",
    ticket_numbers: [],
    offer_id: "off_1",
    created_at: "2026-12-05T03:00:00Z",
    updated_at: "2026-12-05T03:00:00Z",
    ...fields,
  };
}

it("offers a flight change only where the fare's conditions allow one", () => {
  expect(flightChange(order({ conditions: { refundable: false, changeable: true } }))).toBe("offered");
  expect(flightChange(order({ conditions: { refundable: true, changeable: false } }))).toBe("fare-forbids");
});

it("offers it on an order made before its conditions were kept: the airline decides", () => {
  expect(flightChange(order({ conditions: null }))).toBe("offered");
  expect(flightChange(order({}))).toBe("offered");
});

it("offers nothing on a trip that cannot be amended now, whatever its fare", () => {
  const flexible = { conditions: { refundable: false, changeable: true } };
  expect(flightChange(order({ ...flexible, status: "cancelled", payment_status: "refunded" }))).toBe("closed");
  expect(flightChange(order({ ...flexible, status: "held", payment_status: "processing" }))).toBe("closed");
  expect(flightChange(order({ ...flexible, status: "held", payment_status: "unpaid" }))).toBe("offered");
});

const leaving = (departing_at: string) => ({
  origin: "LHR",
  destination: "JFK",
  duration: "PT8H10M",
  segments: [{ marketing_carrier: "BA", flight_number: "BA117", origin: "LHR", destination: "JFK", departing_at, arriving_at: departing_at, aircraft: "777", cabin_class: "economy" }],
}) as unknown as Order["slices"][number];

it("takes a flight as left only once its local time is past in every zone (UTC+14 to UTC-12)", () => {
  const slice = leaving("2027-01-10T08:25:00");
  // 08:25 in Kiribati (UTC+14) is 18:25 UTC the day before; at UTC-12 it is 20:25 UTC that day.
  expect(surelyLeft(slice, new Date("2027-01-10T22:25:00Z"))).toBe(false);
  expect(surelyLeft(slice, new Date("2027-01-10T22:25:01Z"))).toBe(true);
  expect(surelyLeft(slice, new Date("2027-01-10T08:26:00Z"))).toBe(false); // may not have left yet
});

it("takes a trip as begun once its first flight has surely left, whatever the later ones", () => {
  const now = new Date("2027-01-12T00:00:00Z");
  const out = leaving("2027-01-10T08:25:00");
  const back = leaving("2027-01-17T18:00:00");
  expect(surelyBegun(order({ slices: [out, back] }), now)).toBe(true);
  expect(surelyBegun(order({ slices: [back] }), now)).toBe(false);
  expect(surelyBegun(order({ slices: [] }), now)).toBe(false);
});

it("closes seats as the API does: 24 hours before the first flight's local time read at UTC+14", () => {
  const trip = order({ slices: [leaving("2027-01-10T08:25:00"), leaving("2027-01-17T18:00:00")] });
  // 08:25 at UTC+14 is 18:25 UTC on the 9th: seats close 24 hours before, 18:25 UTC on the 8th.
  expect(seatsClosed(trip, new Date("2027-01-08T18:24:59Z"))).toBe(false);
  expect(seatsClosed(trip, new Date("2027-01-08T18:25:00Z"))).toBe(true);
  expect(seatsClosed(trip, new Date("2027-01-12T00:00:00Z"))).toBe(true); // begun
  expect(seatsClosed(order({ slices: [] }), new Date("2027-01-12T00:00:00Z"))).toBe(false);
});
