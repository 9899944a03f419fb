import { expect, it } from "vitest";

import type { ConnectorReport, Offer, SearchMeta } from "../../lib/api/client";
import { airlinesOf, applyFilters, DEFAULT_FILTERS, filterWords, noOffersSentence, routeOf, withoutFilters } from "./model";

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

function searched(...statuses: ConnectorReport["status"][]): SearchMeta {
  const connectors = statuses.map((status, i) => ({ name: `rest-${i}`, status, offers: 0, latency_ms: 1 }));
  return { took_ms: 1, cache: "miss", partial: statuses.some((s) => s !== "ok"), connectors };
}

it("says there are no flights only when every airline serving the route answered", () => {
  expect(noOffersSentence(searched("ok", "ok"))).toBe(
    "No flights on this route and date. Try other dates or nearby airports.",
  );
});

it("does not say there are no flights when no airline could be searched", () => {
  const sentence = noOffersSentence(searched("error", "timeout", "circuit_open"));
  expect(sentence).not.toContain("No flights on this route");
  expect(sentence).toContain("Search again in a moment");
});

it("says the airlines that answered have none when others did not answer", () => {
  expect(noOffersSentence(searched("ok", "error"))).toBe(
    "None of the airlines that answered has a flight on this route and date. Search again later to include the others.",
  );
});

it("says no airline flies the route when the API warns none serves it, so no other date is offered", () => {
  const warned = { ...searched(), warnings: [{ code: "route_not_served", detail: "No airline serves this route." }] };
  expect(noOffersSentence(warned)).toBe("None of our airlines flies between these airports. Try nearby airports.");
});

it("words the filters that hide offers, and clears them keeping the sort", () => {
  const airlines: [string, string][] = [["BA", "Britannia Airways"]];
  expect(filterWords(DEFAULT_FILTERS, airlines)).toEqual([]);
  expect(filterWords({ ...DEFAULT_FILTERS, sort: "duration" }, airlines)).toEqual([]); // an order hides nothing
  const narrowed = { sort: "departure", stops: "0", departure: "evening", refundableOnly: true, excludedAirlines: ["BA", "LH"] } as const;
  expect(filterWords({ ...narrowed, excludedAirlines: [...narrowed.excludedAirlines] }, airlines)).toEqual([
    "Non-stop only",
    "Evening departures",
    "Refundable only",
    "Not Britannia Airways",
    "Not LH", // not among this search's offers: its code
  ]);
  expect(withoutFilters({ ...narrowed, excludedAirlines: ["BA"] })).toEqual({ ...DEFAULT_FILTERS, sort: "departure" });
});

it("names a search's route by its airports in order, whatever its days", () => {
  expect(routeOf([{ origin: "lhr", destination: "JFK" }, { origin: "JFK", destination: "LHR" }])).toBe("LHR-JFK,JFK-LHR");
  expect(routeOf([{ origin: "LHR", destination: "JFK" }])).not.toBe(routeOf([{ origin: "LHR", destination: "CDG" }]));
});
