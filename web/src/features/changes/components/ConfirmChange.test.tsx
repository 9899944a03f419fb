// @vitest-environment jsdom
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { cleanup, render, screen } from "@testing-library/react";
import { afterEach, expect, it } from "vitest";

import type { Order } from "../../../lib/api/client";
import { segmentIdOf } from "../../seats";
import type { ChangeOffer } from "../api/changes";
import { ConfirmChange } from "./ConfirmChange";

afterEach(cleanup);

const flight = {
  marketing_carrier: "AA", flight_number: "AA237", origin: "LHR", destination: "JFK",
  departing_at: "2027-01-15T17:45:00", arriving_at: "2027-01-15T20:30:00", aircraft: "789", cabin_class: "premium_economy",
};
const order = {
  id: "ord_1", status: "confirmed", payment_status: "paid",
  slices: [{ origin: "LHR", destination: "JFK", duration: "PT7H45M", segments: [flight] }],
  passengers: [{ given_name: "Ada", family_name: "Lovelace" }, { given_name: "Charles", family_name: "Babbage" }],
  seats: [{ segment_id: segmentIdOf(flight), passenger_id: "pas_2", designator: "14E", total_amount: "0", total_currency: "USD" }],
} as unknown as Order;
const offer = {
  id: "och_1", slice_index: 0, expires_at: new Date(Date.now() + 600_000).toISOString(),
  slice: { ...order.slices[0], segments: [{ ...flight, departing_at: "2027-01-16T17:45:00", arriving_at: "2027-01-16T20:30:00" }] },
  fare_difference_amount: "-286.72", fare_difference_currency: "USD", penalty_total_amount: "335.80",
  penalty_total_currency: "USD", change_total_amount: "49.08", change_total_currency: "USD",
  new_total_amount: "3882.04", new_total_currency: "USD",
} as unknown as ChangeOffer;

it("says before confirming that the seats on the flight replaced are released, by passenger", () => {
  // They were: the trip page said so only afterwards, and Charles's 14E was simply gone.
  render(
    <QueryClientProvider client={new QueryClient()}>
      <ConfirmChange order={order} offer={offer} onChanged={() => undefined} onBack={() => undefined} onSearchAgain={() => undefined} />
    </QueryClientProvider>,
  );
  expect(screen.getByText(/Your seats on this flight \(14E for Charles Babbage\) are released with it/)).toBeTruthy();
});
