import { expect, it } from "vitest";

import type { Order } from "../../lib/api/client";
import { flightChange } from "./amendable";

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
