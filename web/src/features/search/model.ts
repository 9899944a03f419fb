import type { CabinClass, SearchRequest } from "../../lib/api/client";

/** The search form's model: what the traveler typed, before it becomes a `SearchRequest`. */
export type Trip = "one-way" | "round-trip" | "multi-city";

export interface Leg {
  origin: string;
  destination: string;
  date: string;
}

export interface SearchForm {
  trip: Trip;
  legs: Leg[];
  returnDate: string;
  adults: number;
  children: number;
  infants: number;
  cabin: CabinClass;
}

export const MAX_LEGS = 6;

export function emptyForm(): SearchForm {
  return {
    trip: "round-trip",
    legs: [{ origin: "", destination: "", date: "" }],
    returnDate: "",
    adults: 1,
    children: 0,
    infants: 0,
    cabin: "economy",
  };
}

export function toRequest(form: SearchForm): SearchRequest {
  const first = form.legs[0] ?? { origin: "", destination: "", date: "" };
  const legs =
    form.trip === "multi-city"
      ? form.legs
      : form.trip === "round-trip"
        ? [first, { origin: first.destination, destination: first.origin, date: form.returnDate }]
        : [first];
  return {
    slices: legs.map((leg) => ({
      origin: leg.origin.trim(),
      destination: leg.destination.trim(),
      departure_date: leg.date,
    })),
    passengers: { adults: form.adults, children: form.children, infants: form.infants },
    cabin_class: form.cabin,
    limit: 500,
  };
}

/** The form in the results page's URL, so a search can be shared, reloaded and gone back to. */
export function toParams(form: SearchForm): URLSearchParams {
  const params = new URLSearchParams({ trip: form.trip });
  const legs = form.trip === "multi-city" ? form.legs : form.legs.slice(0, 1);
  for (const leg of legs) params.append("leg", `${leg.origin}.${leg.destination}.${leg.date}`);
  if (form.trip === "round-trip") params.set("return", form.returnDate);
  params.set("adults", String(form.adults));
  params.set("children", String(form.children));
  params.set("infants", String(form.infants));
  params.set("cabin", form.cabin);
  return params;
}

const CABINS: readonly CabinClass[] = ["economy", "premium_economy", "business", "first"];
const TRIPS: readonly Trip[] = ["one-way", "round-trip", "multi-city"];

export function fromParams(params: URLSearchParams): SearchForm | null {
  const legs = params.getAll("leg").map((raw) => {
    const [origin = "", destination = "", date = ""] = raw.split(".");
    return { origin, destination, date };
  });
  if (legs.length === 0) return null;
  const trip = TRIPS.find((t) => t === params.get("trip")) ?? "one-way";
  const cabin = CABINS.find((c) => c === params.get("cabin")) ?? "economy";
  const count = (name: string, fallback: number) => {
    const value = Number.parseInt(params.get(name) ?? "", 10);
    return Number.isFinite(value) ? value : fallback;
  };
  return {
    trip,
    legs: legs.slice(0, MAX_LEGS),
    returnDate: params.get("return") ?? "",
    adults: count("adults", 1),
    children: count("children", 0),
    infants: count("infants", 0),
    cabin,
  };
}

/** Which form field an API error path belongs to (see lib/problems `fieldErrors`). */
export function searchFieldFor(trip: Trip): (apiField: string) => string | undefined {
  return (apiField) => {
    const slice = /^slices\[(\d+)\]\.(origin|destination|departure_date)$/.exec(apiField);
    if (slice) {
      const index = Number(slice[1]);
      const part = slice[2] === "departure_date" ? "date" : slice[2];
      if (trip === "round-trip" && index === 1) {
        // The return slice is the outbound one reversed: its airports are the outbound's.
        if (part === "date") return "return";
        return part === "origin" ? "destination-0" : "origin-0";
      }
      return `${part}-${index}`;
    }
    const passengers = /^passengers\.(adults|children|infants)$/.exec(apiField);
    if (passengers) return passengers[1];
    if (apiField === "cabin_class") return "cabin";
    return undefined;
  };
}
