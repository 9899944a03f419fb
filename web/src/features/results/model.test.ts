import { expect, it } from "vitest";

import type { Offer } from "../../lib/api/client";
import { airlinesOf, applyFilters, DEFAULT_FILTERS } from "./model";

function offer(id: string, amount: string, departs: string, stops: number, refundable = false, owner = "BA"): Offer {
  const segments = Array.from({ length: stops + 1 }, (_, i) => ({
    marketing_carrier: owner,
    flight_number: `${owner}${i}`,
    origin: "LHR",
    destination: "JFK",
    departing_at: `2026-12-20T${departs}:00`,
    arriving_at: `2026-12-20T${departs}:00`,
    aircraft: "777",
    cabin_class: "economy" as const,
  }));
  return {
    id,
    total_amount: amount,
    total_currency: "USD",
    base_amount: amount,
    tax_amount: "0",
    owner: { iata_code: owner, name: owner },
    source: "rest-x",
    expires_at: "",
    seats_remaining: 1,
    conditions: { refundable, changeable: true },
    slices: [{ origin: "LHR", destination: "JFK", duration: `PT${8 + stops}H`, segments }],
    passengers: {},
  };
}

const offers = [
  offer("a", "300.00", "19:00", 1, true),
  offer("b", "100.00", "08:00", 0),
  offer("c", "200.00", "13:00", 2, false, "LH"),
];

it("sorts by price, duration or departure without asking again", () => {
  expect(applyFilters(offers, DEFAULT_FILTERS).map((o) => o.id)).toEqual(["b", "c", "a"]);
  expect(applyFilters(offers, { ...DEFAULT_FILTERS, sort: "duration" }).map((o) => o.id)).toEqual(["b", "a", "c"]);
  expect(applyFilters(offers, { ...DEFAULT_FILTERS, sort: "departure" }).map((o) => o.id)).toEqual(["b", "c", "a"]);
});

it("filters by stops, refundability, departure time and airline", () => {
  const ids = (f: Partial<typeof DEFAULT_FILTERS>) => applyFilters(offers, { ...DEFAULT_FILTERS, ...f }).map((o) => o.id);
  expect(ids({ stops: "1" })).toEqual(["b", "a"]);
  expect(ids({ refundableOnly: true })).toEqual(["a"]);
  expect(ids({ departure: "evening" })).toEqual(["a"]);
  expect(ids({ excludedAirlines: ["BA"] })).toEqual(["c"]);
});

it("lists each airline once, by name", () => {
  const named = (o: Offer | undefined, name: string) => ({ ...(o as Offer), owner: { iata_code: o?.owner.iata_code ?? "", name } });
  const [a, b, c] = offers;
  expect(airlinesOf([named(a, "Zephyr"), named(c, "Aero"), named(b, "Zephyr")])).toEqual([
    ["LH", "Aero"],
    ["BA", "Zephyr"],
  ]);
});
