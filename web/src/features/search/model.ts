import type { CabinClass, Currency, SearchRequest } from "../../lib/api/client";
import { DEFAULT_CURRENCY, isPricedCurrency } from "../../lib/currencies";
import { localDate, travelerWords } from "../../lib/format";
import type { Problem } from "../../lib/problems";

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
  currency: Currency;
}

export const MAX_LEGS = 6;

// How many days ahead the airlines sell and the API searches (search/model.py MAX_DAYS_AHEAD):
// tests/unit/search/test_web_horizon.py fails when the two part.
export const MAX_DAYS_AHEAD = 361;

/** The last day a search may ask for, counted from `today` (YYYY-MM-DD, UTC as the API's). */
export function lastSearchDay(today: string): string {
  const day = new Date(`${today}T00:00:00Z`);
  day.setUTCDate(day.getUTCDate() + MAX_DAYS_AHEAD);
  return day.toISOString().slice(0, 10);
}

// The currencies search prices in, as the form names them (short: a phone's select is narrow).
// A Record, so tsc fails here when the API's list (kernel/currencies.py, through the generated
// types) gains or loses one.
export const CURRENCY_LABELS: Readonly<Record<Currency, string>> = {
  USD: "USD ($)",
  EUR: "EUR (€)",
  GBP: "GBP (£)",
};

/** `code` if search can price in it, else the default: a profile may hold one stored earlier. */
export function pricedCurrency(code: string | null | undefined): Currency {
  const upper = code?.toUpperCase();
  return isPricedCurrency(upper) ? upper : DEFAULT_CURRENCY;
}

export function emptyForm(): SearchForm {
  return {
    trip: "round-trip",
    legs: [{ origin: "", destination: "", date: "" }],
    returnDate: "",
    adults: 1,
    children: 0,
    infants: 0,
    cabin: "economy",
    currency: DEFAULT_CURRENCY,
  };
}

export const CABIN_LABELS: Readonly<Record<CabinClass, string>> = {
  economy: "Economy",
  premium_economy: "Premium economy",
  business: "Business",
  first: "First",
};

/** The search in a line, beside the results' heading (which names the airports only): its days,
 * who and the cabin, "Tue 5 Jan 2027 – Tue 12 Jan 2027 · 1 adult · Economy". */
export function searchLine(form: SearchForm): string {
  const days =
    form.trip === "round-trip"
      ? [form.legs[0]?.date ?? "", form.returnDate].map(localDate).join(" – ")
      : form.legs
          .slice(0, form.trip === "one-way" ? 1 : MAX_LEGS)
          .map((leg) => localDate(leg.date))
          .join(", ");
  return [days, travelerWords(form), CABIN_LABELS[form.cabin]].join(" · ");
}

/** What a signed-in traveler's profile says a search should start from (null: no preference). */
export interface SearchPreferences {
  origin: string | null;
  cabin: CabinClass | null;
  currency: string | null;
}

/** The form fields preferences may fill: what the traveler types into one wins from then on. */
export type PreferredField = "origin-0" | "cabin" | "currency";

/**
 * `form` with the traveler's preferences in every preferred field they have not typed into.
 * A currency search cannot price (a profile stored before the API refused it) leaves the form's.
 */
export function withPreferences(
  form: SearchForm,
  preferences: SearchPreferences | null,
  typed: ReadonlySet<PreferredField>,
): SearchForm {
  if (!preferences) return form;
  const [first, ...rest] = form.legs;
  const origin = !typed.has("origin-0") && preferences.origin ? preferences.origin : first?.origin;
  return {
    ...form,
    legs: first ? [{ ...first, origin: origin ?? "" }, ...rest] : form.legs,
    cabin: !typed.has("cabin") && preferences.cabin ? preferences.cabin : form.cabin,
    currency:
      !typed.has("currency") && preferences.currency ? pricedCurrency(preferences.currency) : form.currency,
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
    currency: form.currency,
    limit: 500,
  };
}

// A leg is "LHR.JFK.2027-01-10": a "." typed in an airport not chosen from the list ("St. Louis")
// is written %2E, and "%" %25 so a typed "%2E" stays itself. A link without either reads as before.
const escapeDots = (part: string) => part.replaceAll("%", "%25").replaceAll(".", "%2E");
const unescapeDots = (part: string) => part.replace(/%(2E|25)/gi, (escape) => (escape === "%25" ? "%" : "."));

/** The form in the results page's URL, so a search can be shared, reloaded and gone back to. */
export function toParams(form: SearchForm): URLSearchParams {
  const params = new URLSearchParams({ trip: form.trip });
  const legs = form.trip === "multi-city" ? form.legs : form.legs.slice(0, 1);
  for (const leg of legs) params.append("leg", [leg.origin, leg.destination, leg.date].map(escapeDots).join("."));
  if (form.trip === "round-trip") params.set("return", form.returnDate);
  params.set("adults", String(form.adults));
  params.set("children", String(form.children));
  params.set("infants", String(form.infants));
  params.set("cabin", form.cabin);
  params.set("currency", form.currency);
  return params;
}

const CABINS: readonly CabinClass[] = ["economy", "premium_economy", "business", "first"];
const TRIPS: readonly Trip[] = ["one-way", "round-trip", "multi-city"];

/** A form's fields as read back from where the app wrote them (an address, a kept draft): each
 * one it cannot use takes its default, as one written by an older release may hold. */
interface ReadBack {
  trip: unknown;
  legs: Leg[];
  returnDate: unknown;
  adults: number;
  children: number;
  infants: number;
  cabin: unknown;
  currency: unknown;
}

function readBack(fields: ReadBack): SearchForm | null {
  if (fields.legs.length === 0) return null;
  const count = (value: number, fallback: number) => (Number.isInteger(value) ? value : fallback);
  return {
    trip: TRIPS.find((t) => t === fields.trip) ?? "one-way",
    legs: fields.legs.slice(0, MAX_LEGS),
    returnDate: typeof fields.returnDate === "string" ? fields.returnDate : "",
    adults: count(fields.adults, 1),
    children: count(fields.children, 0),
    infants: count(fields.infants, 0),
    cabin: CABINS.find((c) => c === fields.cabin) ?? "economy",
    // A link from before the currency was in it (or with one search cannot price): the default.
    currency: pricedCurrency(typeof fields.currency === "string" ? fields.currency : null),
  };
}

export function fromParams(params: URLSearchParams): SearchForm | null {
  const legs = params.getAll("leg").map((raw) => {
    const [origin = "", destination = "", date = ""] = raw.split(".").map(unescapeDots);
    return { origin, destination, date };
  });
  const count = (name: string) => Number.parseInt(params.get(name) ?? "", 10);
  return readBack({
    trip: params.get("trip"),
    legs,
    returnDate: params.get("return"),
    adults: count("adults"),
    children: count("children"),
    infants: count("infants"),
    cabin: params.get("cabin"),
    currency: params.get("currency"),
  });
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** The form from its JSON (`JSON.stringify(form)`): every field as typed, an airport's "." too,
 * which the address's `leg=LHR.JFK.2027-01-10` cannot hold. Null when it is not a form. */
export function fromJson(value: unknown): SearchForm | null {
  if (!isRecord(value) || !Array.isArray(value.legs)) return null;
  const text = (field: unknown) => (typeof field === "string" ? field : "");
  const number = (field: unknown) => (typeof field === "number" ? field : Number.NaN);
  return readBack({
    trip: value.trip,
    legs: value.legs
      .filter(isRecord)
      .map((leg) => ({ origin: text(leg.origin), destination: text(leg.destination), date: text(leg.date) })),
    returnDate: value.returnDate,
    adults: number(value.adults),
    children: number(value.children),
    infants: number(value.infants),
    cabin: value.cabin,
    currency: value.currency,
  });
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
    if (apiField === "currency") return "currency";
    return undefined;
  };
}

const RETURN_AIRPORT = /^slices\[1\]\.(origin|destination)$/;
const OUTBOUND_AIRPORT = /^slices\[0\]\.(origin|destination)$/;

/**
 * The search's refusal as the form shows it. A round trip's return flight is its outbound one
 * reversed, so the API checks the same two airports twice, and what it says of the outbound ones
 * it says of the return ones: those echoes are left out. They were not only said twice: LHR to
 * LHR put the return's "must differ from the origin" (its destination, the form's From) beside
 * From, which is the origin.
 */
export function searchProblem(problem: Problem, trip: Trip): Problem {
  if (trip !== "round-trip" || !problem.errors) return problem;
  const outbound = new Set(problem.errors.filter((e) => OUTBOUND_AIRPORT.test(e.field)).map((e) => e.message));
  const errors = problem.errors.filter((e) => !(RETURN_AIRPORT.test(e.field) && outbound.has(e.message)));
  return { ...problem, errors };
}
