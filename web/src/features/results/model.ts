import type { Offer, SearchMeta } from "../../lib/api/client";
import { durationMinutes } from "../../lib/format";

/** Client-side sorting and filtering of the streamed offers: no new request. */
export type SortKey = "price" | "duration" | "departure";
export type Stops = "any" | "0" | "1";
export type DepartureWindow = "any" | "morning" | "afternoon" | "evening";

export interface Filters {
  sort: SortKey;
  stops: Stops;
  departure: DepartureWindow;
  refundableOnly: boolean;
  excludedAirlines: string[]; // owners' IATA codes unticked
}

export const DEFAULT_FILTERS: Filters = {
  sort: "price",
  stops: "any",
  departure: "any",
  refundableOnly: false,
  excludedAirlines: [],
};

/** A search's route, as filters belong to it: its airports in order, whatever the days. */
export function routeOf(slices: readonly { origin: string; destination: string }[]): string {
  return slices.map((s) => `${s.origin}-${s.destination}`.toUpperCase()).join(",");
}

/**
 * The sort kept, every filter off: "Clear filters", and where a new route starts. The same route
 * on other days (or for other travelers) keeps its filters, as an airline app does while the
 * traveler compares days, and the page says so with that one-click clear (`filterWords`). A new
 * route starts unfiltered: its airlines, stops and times are others, and filters kept from the
 * last route hid its offers with no sign why. The sort is an order that hides nothing: kept.
 */
export function withoutFilters(filters: Filters): Filters {
  return { ...DEFAULT_FILTERS, sort: filters.sort };
}

const STOP_WORDS: Record<Exclude<Stops, "any">, string> = { "0": "Non-stop only", "1": "1 stop at most" };
const WINDOW_WORDS: Record<Exclude<DepartureWindow, "any">, string> = {
  morning: "Morning departures",
  afternoon: "Afternoon departures",
  evening: "Evening departures",
};

/** The filters that hide offers, in words ("Non-stop only", "Not Lufthansa"); none: []. */
export function filterWords(filters: Filters, airlines: readonly [string, string][]): string[] {
  const names = new Map(airlines);
  return [
    filters.stops === "any" ? "" : STOP_WORDS[filters.stops],
    filters.departure === "any" ? "" : WINDOW_WORDS[filters.departure],
    filters.refundableOnly ? "Refundable only" : "",
    ...filters.excludedAirlines.map((code) => `Not ${names.get(code) ?? code}`),
  ].filter(Boolean);
}

export function stopsOf(offer: Offer): number {
  return Math.max(0, ...offer.slices.map((slice) => slice.segments.length - 1));
}

export function totalMinutes(offer: Offer): number {
  return offer.slices.reduce((sum, slice) => sum + durationMinutes(slice.duration), 0);
}

export function departureOf(offer: Offer): string {
  return offer.slices[0]?.segments[0]?.departing_at ?? "";
}

const WINDOWS: Record<Exclude<DepartureWindow, "any">, [number, number]> = {
  morning: [0, 12],
  afternoon: [12, 18],
  evening: [18, 24],
};

function inWindow(offer: Offer, window: DepartureWindow): boolean {
  if (window === "any") return true;
  const hour = Number(departureOf(offer).slice(11, 13));
  const [from, to] = WINDOWS[window];
  return hour >= from && hour < to;
}

export function applyFilters(offers: readonly Offer[], filters: Filters): Offer[] {
  const excluded = new Set(filters.excludedAirlines);
  const kept = offers.filter(
    (offer) =>
      (filters.stops === "any" || stopsOf(offer) <= Number(filters.stops)) &&
      (!filters.refundableOnly || offer.conditions.refundable) &&
      !excluded.has(offer.owner.iata_code) &&
      inWindow(offer, filters.departure),
  );
  const key: Record<SortKey, (offer: Offer) => number | string> = {
    price: (offer) => Number(offer.total_amount),
    duration: totalMinutes,
    departure: departureOf,
  };
  const by = key[filters.sort];
  return kept.sort((a, b) => {
    const x = by(a);
    const y = by(b);
    return x < y ? -1 : x > y ? 1 : Number(a.total_amount) - Number(b.total_amount);
  });
}

/** The airlines among the offers, for the airline filter: code → name. */
export function airlinesOf(offers: readonly Offer[]): [string, string][] {
  const names = new Map<string, string>();
  for (const offer of offers) names.set(offer.owner.iata_code, offer.owner.name);
  // Not localeCompare: its first call builds a collator (ICU data), tens of ms on the first
  // airline's line, before its offers can paint (bench/results/2026-12-04-web-paint.md).
  return [...names.entries()].sort((a, b) => (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
}

/** What a search that found no offer means: "no flights" only when every airline serving the
 * route answered. When some failed, that is not known, and other dates are no remedy; when none
 * serves the route (the API's `route_not_served` warning), no date will find one. */
export function noOffersSentence(meta: SearchMeta): string {
  const answered = meta.connectors.filter((c) => c.status === "ok").length;
  if (meta.warnings?.some((w) => w.code === "route_not_served")) {
    return "None of our airlines flies between these airports. Try nearby airports.";
  }
  if (answered === 0) {
    return "No airline could be searched just now, so we cannot tell whether there are flights. Search again in a moment.";
  }
  if (answered < meta.connectors.length) {
    return "None of the airlines that answered has a flight on this route and date. Search again later to include the others.";
  }
  return "No flights on this route and date. Try other dates or nearby airports.";
}
