import { sentence } from "./format";
import { seatRefusal } from "./seatRefusals";

/**
 * Every failure a traveler can meet, as a human sentence and a next step, written once here and
 * keyed by the problem document's `type` (docs/api.md "Errors"). Screens never word errors
 * themselves: they pass the problem (or a network failure) to `describe`.
 */
export interface FieldError {
  field: string;
  message: string;
}

export interface Problem {
  type: string;
  title?: string;
  status: number;
  detail?: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

export interface Explained {
  message: string;
  next: string;
}

const BASE = "https://skyfare.dev/problems/";
export const OFFLINE = "offline";
// No answer while the browser says it is online: the server or the way to it failed, not the
// traveler's connection, and nothing will retry by itself when "back online".
const UNREACHABLE = "unreachable";
// A 409 of `DELETE /v1/me` carrying `orders_in_flight`: a conflict of its own in words.
const ORDERS_IN_FLIGHT = "orders-in-flight";
// A 409 of `POST /v1/orders/{id}/seats` carrying `seats`: someone else was quicker.
const SEAT_TAKEN = "seat-taken";
// Any other 409 of choosing seats: the order is paid or over, the flight is within 24 hours, or
// the airline sells no seats through us (its `detail` says which).
export const SEATS_CLOSED = "seats-closed";
// The same on a booked trip's Change seats: "continue without choosing, the airline gives you
// seats at check-in" spoke of a booking being made, beside a "Keep my seats" button, to a
// traveler who may hold seats (or whose trip was cancelled meanwhile).
export const SEATS_CLOSED_ON_TRIP = "seats-closed-on-trip";
// The identity provider would not renew the sign-in (features/auth renewal): the tab signed out.
export const SIGN_IN_ENDED = "sign-in-ended";
// The identity provider did not answer a renewal the call needed (features/auth renewal): still
// signed in, so "Please sign in" would send the traveler to a sign-in that cannot work either.
export const SIGN_IN_UNREACHABLE = "sign-in-unreachable";

const MESSAGES: Record<string, Explained> = {
  "validation-error": {
    message: "Some details need fixing.",
    next: "Check the fields marked below and try again.",
  },
  "bad-request": { message: "That request could not be read.", next: "Reload the page and try again." },
  unauthorized: { message: "Please sign in to continue.", next: "Sign in, then try again." },
  // RFC 9470 step-up (features/auth stepUp): the token is fine, its sign-in too old for this act.
  "insufficient-user-authentication": {
    message: "For your safety, this needs a fresh sign-in.",
    next: "Sign in again (your email is filled in), then confirm once more. Nothing was changed.",
  },
  // users/service.py: this tab signed in before its account was deleted (in another tab or on
  // another device), so it was signed out (features/auth erasure.ts).
  "account-erased": {
    message: "This account was deleted, so you were signed out here.",
    next: "Sign in to start again with a new, empty profile; nothing of the deleted one comes back.",
  },
  [SIGN_IN_ENDED]: {
    message: "Your sign-in has ended, so you were signed out here.",
    next: "Sign in again to go on where you were.",
  },
  [SIGN_IN_UNREACHABLE]: {
    message: "We could not renew your sign-in just now.",
    next: "The sign-in service is not answering. You are still signed in: try again in a moment.",
  },
  "not-found": {
    message: "We could not find that flight or trip.",
    next: "Search again to see current offers.",
  },
  // Most 409s carry no new price: the offer sold out, the airline refused a booking or a change,
  // the trip moved on meanwhile. A new price has its own words (PRICE_CHANGED).
  conflict: {
    message: "This could not be done: something changed meanwhile.",
    next: "Nothing was changed. Look again at the flight or your trip, then choose what to do.",
  },
  "precondition-failed": {
    message: "Your profile was changed elsewhere since you opened this page.",
    next: "We loaded the latest version: make your change again and save.",
  },
  "limit-reached": {
    message: "You have reached the most you can keep.",
    next: "Delete one you no longer need, then try again.",
  },
  [ORDERS_IN_FLIGHT]: {
    message: "Some of your trips are still in progress, so your account was not deleted.",
    next: "Cancel the trips on hold listed below (or wait until they are paid or expire), then delete your account again.",
  },
  [SEAT_TAKEN]: {
    message: "Another traveler has just taken that seat.",
    next: "The map now shows it taken: choose another seat, or skip.",
  },
  [SEATS_CLOSED]: {
    message: "Seats cannot be chosen on this booking now.",
    next: "Continue without choosing: the airline gives you seats at check-in.",
  },
  [SEATS_CLOSED_ON_TRIP]: {
    message: "Seats cannot be changed on this trip now.",
    next: "Nothing was changed. Go back to your trip to see where it stands; the airline can help with seats at check-in.",
  },
  "fare-not-changeable": {
    message: "This fare cannot be changed.",
    next: "Its conditions allow no changes: you can cancel the trip instead, or contact support.",
  },
  "change-unsupported": {
    message: "This airline cannot change flights through us.",
    next: "Contact support to change it, or cancel the trip instead.",
  },
  gone: {
    message: "This offer has expired or sold out.",
    next: "Search again to see current offers.",
  },
  "rate-limited": { message: "Too many requests in a short time.", next: "Wait a moment, then try again." },
  "internal-error": {
    message: "Something went wrong on our side.",
    next: "Try again; if it keeps happening, contact support with the reference shown.",
  },
  [UNREACHABLE]: {
    message: "We could not reach Skyfare.",
    next: "Check your connection and try again in a moment.",
  },
  [OFFLINE]: {
    message: "You appear to be offline.",
    next: "Check your connection; the page will work again once you are back online.",
  },
};

// The booking caps on unpaid holds (booking/limits.py, by the problem's `limit`): the generic
// "Delete one you no longer need" said nothing about what to free, nor where.
const HOLD_LIMITS = new Set(["open_holds", "held_seats", "held_seats_per_flight"]);
const HOLD_LIMIT: Explained = {
  message: "You already hold as many unpaid seats or trips as one traveler can at once.",
  next: "Pay for or cancel a trip on hold in My trips, then try again.",
};

/** What the traveler was doing when a refusal came: some refusals read otherwise by it. */
export type Doing = "cancel" | "change" | "seats" | "name";

// booking/departures.py: a 409 for a trip whose first flight has left carries `departed_at`;
// "something changed meanwhile" sent the traveler to look for a change. What can no longer be
// done is what the traveler was doing: "cancelled" on the seat screen misled.
const BEGUN_NEXT = "Nothing was changed. If a flight was missed, cancelled or disrupted, contact support about this trip.";
const TRIP_BEGUN: Record<Doing | "other", Explained> = {
  cancel: { message: "Your trip has begun: its first flight has left, so it can no longer be cancelled here.", next: BEGUN_NEXT },
  change: { message: "Your trip has begun: its first flight has left, so it can no longer be changed here.", next: BEGUN_NEXT },
  seats: {
    message: "Your trip has begun: its first flight has left, so seats can no longer be chosen here.",
    next: "Nothing was changed. Ask the airline for a seat at check-in or at the gate.",
  },
  name: {
    message: "Your trip has begun: its first flight has left, so names can no longer be corrected here.",
    next: "Nothing was changed. Contact support about this trip: the airline may still correct it.",
  },
  other: { message: "Your trip has begun: its first flight has left, so this can no longer be done here.", next: BEGUN_NEXT },
};

// booking/seats.py: a seat change within 24 hours of the first flight is a 422 whose `rule` names
// it; its field error and detail are our text with the code in front ("change_cutoff_24h: …").
export const SEATS_CUTOFF_RULE = "change_cutoff_24h";
const SEATS_CUTOFF: Explained = {
  message: "Seats can no longer be changed here: your first flight leaves within 24 hours.",
  next: "Nothing was changed. Ask the airline for a seat at check-in.",
};

// booking/airline.py _price_changed: a 409 with the new `total_amount` to accept.
const PRICE_CHANGED: Explained = {
  message: "The airline changed this offer.",
  next: "Review the new price, or go back to the results.",
};

/**
 * What a screen stands on, for the words of a 503 (`service-unavailable`): the API says the same
 * for an airline it cannot reach and for its own database, so only the screen knows which. A
 * screen of airline fares (search, offer, booking, a change, a cancellation) is "airlines", the
 * default; My trips, a trip, the profile and support read only Skyfare's own records, and "the
 * airlines" there sent the traveler looking for the wrong culprit.
 */
export type Backing = "airlines" | "payment" | "trips" | "trip" | "profile" | "support";

const UNAVAILABLE: Record<Backing, string> = {
  airlines: "The airlines cannot be reached right now.",
  // Paying asks the payment gateway (and our database), never an airline.
  payment: "Payments cannot be taken right now.",
  trips: "Your trips cannot be loaded right now.",
  trip: "Your trip cannot be loaded right now.",
  profile: "Your profile cannot be reached right now.",
  support: "Support cannot be reached right now.",
};

const FALLBACK: Explained = {
  message: "Something went wrong.",
  next: "Try again in a moment.",
};

/** The short name of a problem type: `https://skyfare.dev/problems/gone` → `gone`. */
export function problemKind(problem: Pick<Problem, "type">): string {
  return problem.type.startsWith(BASE) ? problem.type.slice(BASE.length) : problem.type;
}

export function describe(
  problem: Pick<Problem, "type"> & {
    orders_in_flight?: unknown;
    seats?: unknown;
    limit?: unknown;
    total_amount?: unknown;
    departed_at?: unknown;
    rule?: unknown;
    refusal?: unknown;
  },
  backing: Backing = "airlines",
  doing?: Doing,
): Explained {
  if (problemKind(problem) === "service-unavailable") {
    return { message: UNAVAILABLE[backing], next: "Nothing was changed. Try again in a moment." };
  }
  if (problem.orders_in_flight !== undefined) return MESSAGES[ORDERS_IN_FLIGHT] ?? FALLBACK;
  if (typeof problem.limit === "string" && HOLD_LIMITS.has(problem.limit)) return HOLD_LIMIT;
  if (Array.isArray(problem.seats)) return MESSAGES[SEAT_TAKEN] ?? FALLBACK;
  // A seats 409 by its `refusal` (lib/seatRefusals); the ones it leaves are worded by `type`.
  const refused = seatRefusal(problem.refusal);
  if (refused) return refused;
  if (problemKind(problem) === "conflict" && typeof problem.total_amount === "string") return PRICE_CHANGED;
  if (problemKind(problem) === "conflict" && typeof problem.departed_at === "string") return TRIP_BEGUN[doing ?? "other"];
  if (problem.rule === SEATS_CUTOFF_RULE) return SEATS_CUTOFF;
  return MESSAGES[problemKind(problem)] ?? FALLBACK;
}

// Failures that may pass by themselves: a read that met one is worth asking again, as it was.
const PASSING = new Set([OFFLINE, UNREACHABLE, SIGN_IN_UNREACHABLE, "service-unavailable", "internal-error", "rate-limited", "request-timeout"]);

/** Whether the same request may succeed a moment later (the notice then offers "Try again"). */
export function mayPass(problem: Pick<Problem, "type" | "status">): boolean {
  return PASSING.has(problemKind(problem)) || (problem.type === "about:blank" && problem.status >= 500);
}

export function isProblem(value: unknown): value is Problem {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as Problem).type === "string" &&
    typeof (value as Problem).status === "number"
  );
}

/** A thrown fetch (no answer at all) as a problem, so it is described like the others: offline
 * only when the browser says so. */
export function offlineProblem(): Problem {
  return { type: navigator.onLine ? UNREACHABLE : OFFLINE, status: 0 };
}

// The API's dates (`format: date` in openapi.json). Every one this app sends comes from a date
// input: left empty or half typed, it sends "", and the API asks for `YYYY-MM-DD`, a format the
// picker (dd/mm/yyyy, mm/dd/yyyy) never shows the traveler. Which error that is, is read from the
// problem's `field` and the value sent there, never from the API's words, which may change.
const DATE_FIELDS = new Set(["departure_date", "return_date", "born_on", "expires_on"]);
const WHOLE_DATE = /^\d{4}-\d{2}-\d{2}$/;
export const ENTER_WHOLE_DATE = "Enter the whole date: day, month and year";

/** The value at an API field path (`slices[1].departure_date`, `document.expires_on`) in a body. */
export function sentAt(body: unknown, path: string): unknown {
  let at = body;
  for (const step of path.split(/[.[\]]/).filter(Boolean)) {
    if (typeof at !== "object" || at === null) return undefined;
    at = (at as Record<string, unknown>)[step];
  }
  return at;
}

/** Whether `field` is a date the body `sent` gave no whole date for (empty, half typed, none). */
function dateUnread(field: string, sent: unknown): boolean {
  const name = field.split(".").pop()?.replace(/\[\d+\]$/, "") ?? "";
  if (!DATE_FIELDS.has(name)) return false;
  const value = sentAt(sent, field);
  return typeof value !== "string" || !WHOLE_DATE.test(value);
}

// A search's airports: the field offers a list of airports as the traveler types a city or an
// airport, and sends what was typed when none was chosen from it ("London"). The API's "must be a
// 3-letter IATA airport code" then spoke of codes the field never asks for; the way on is the list.
const AIRPORT_FIELD = /^slices\[\d+\]\.(origin|destination)$/;
const AIRPORT_CODE = /^[A-Za-z]{3}$/;
const CHOOSE_AIRPORT = "Type a city or airport, then choose an airport from the list";

// A travel document's issuing country: the field's hint asks for two letters, yet "United Kingdom"
// typed in read back "Must be an ISO 3166-1 alpha-2 country code.", a standard's name.
const COUNTRY_FIELD = /(^|\.)issuing_country$/;
const COUNTRY_CODE = /^[A-Za-z]{2}$/;
const ENTER_COUNTRY_CODE = "Enter the country's two-letter code, as on the document: GB for the United Kingdom, FR for France";

/** The fields whose refusal is worded by the value sent (its shape), not by the API's words. */
const SHAPED: readonly { field: RegExp; shape: RegExp; words: string }[] = [
  { field: AIRPORT_FIELD, shape: AIRPORT_CODE, words: CHOOSE_AIRPORT },
  { field: COUNTRY_FIELD, shape: COUNTRY_CODE, words: ENTER_COUNTRY_CODE },
];

/** The words for `field` when the body `sent` gave it no value of the shape it asks for. */
function shapeWords(field: string, sent: unknown): string | undefined {
  const rule = SHAPED.find((r) => r.field.test(field));
  const value = rule && sentAt(sent, field);
  return rule && (typeof value !== "string" || !rule.shape.test(value)) ? rule.words : undefined;
}

/** A gender the select left at "Choose…" (sent without one: "required: one of: m, f, x"; or
 * one the API does not take: "must be one of: …"): the API lists its letters, the select
 * offers Female, Male and Unspecified (X). */
const GENDER_FIELD = /(^|\.)gender$/;

/** A field's error as the screen says it: a sentence (the API writes "must be in the past",
 * lower case and unstopped, for a client to word; its text stays as written). */
function onScreen({ field, message }: FieldError, sent: unknown): string {
  if (sent !== undefined && dateUnread(field, sent)) return sentence(ENTER_WHOLE_DATE);
  const shaped = sent === undefined ? undefined : shapeWords(field, sent);
  if (shaped) return sentence(shaped);
  if (GENDER_FIELD.test(field) && /^(must be|required:) one of/.test(message)) return sentence("Choose the gender as on the passport");
  return sentence(message);
}

/** The errors no field on the page shows, each as a sentence as `fieldErrors` words them. */
export function asSentences(errors: FieldError[]): FieldError[] {
  return errors.map((error) => ({ ...error, message: sentence(error.message) }));
}

/**
 * The problem's `errors[]` placed beside the form's fields: `fieldFor` maps an API path
 * (`slices[1].origin`, `passengers.adults`) to a form field's name, or undefined when the form
 * has no such field; those errors are returned in `other`, to be shown above the form. `sent`
 * is the request's body: a date it gave no whole date for is asked for whole.
 */
export function fieldErrors(
  problem: Problem,
  fieldFor: (apiField: string) => string | undefined,
  sent?: unknown,
): { byField: Record<string, string>; other: FieldError[] } {
  const byField: Record<string, string> = {};
  const other: FieldError[] = [];
  for (const error of problem.errors ?? []) {
    const name = fieldFor(error.field);
    const message = onScreen(error, sent);
    if (name === undefined) other.push({ ...error, message });
    // A round trip's two slices share From and To: the same message twice said nothing more.
    else if (!byField[name]) byField[name] = message;
    else if (!byField[name].includes(message)) byField[name] = `${byField[name]} ${message}`;
  }
  return { byField, other };
}
