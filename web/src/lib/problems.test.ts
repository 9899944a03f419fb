import { afterEach, describe as group, expect, it, vi } from "vitest";

import { passengerFieldFor } from "../features/booking/model";
import { searchFieldFor } from "../features/search/model";
import { describe, fieldErrors, offlineProblem, type Problem } from "./problems";

const FULL_DATE = "Enter the whole date: day, month and year.";

const validation = (errors: Problem["errors"]): Problem => ({
  type: "https://skyfare.dev/problems/validation-error",
  status: 422,
  errors,
});

group("describe", () => {
  it("words each problem type with a next step", () => {
    const gone = describe({ type: "https://skyfare.dev/problems/gone" });
    expect(gone.message).toMatch(/expired/);
    expect(gone.next).toMatch(/Search again/);
  });

  it("words a seat someone else just took apart from other conflicts", () => {
    const taken = describe({ type: "https://skyfare.dev/problems/conflict", seats: ["14C"] });
    expect(taken.message).toMatch(/taken that seat/);
    expect(describe({ type: "https://skyfare.dev/problems/conflict", total_amount: "612.40" }).message).toMatch(/changed this offer/);
  });

  it("says a trip whose first flight has left can no longer be cancelled, and points to support", () => {
    const begun = describe({ type: "https://skyfare.dev/problems/conflict", departed_at: "2027-01-10T08:25:00Z" }, "airlines", "cancel");
    expect(begun.message).toMatch(/trip has begun: its first flight has left, so it can no longer be cancelled/);
    expect(begun.next).toMatch(/contact support/);
  });

  it("words a begun trip's 409 by what the traveler was doing, never 'cancelled' off the cancel screen", () => {
    // It read "…so it can no longer be cancelled here" on every screen: seats, changes, names.
    const begun = { type: "https://skyfare.dev/problems/conflict", departed_at: "2027-01-10T08:25:00Z" };
    expect(describe(begun, "trip", "seats").message).toBe("Your trip has begun: its first flight has left, so seats can no longer be chosen here.");
    expect(describe(begun, "trip", "seats").next).toMatch(/check-in/);
    expect(describe(begun, "airlines", "change").message).toMatch(/so it can no longer be changed here\.$/);
    expect(describe(begun, "trip", "name").message).toMatch(/names can no longer be corrected here\.$/);
    expect(describe(begun).message).toBe("Your trip has begun: its first flight has left, so this can no longer be done here.");
    for (const doing of ["change", "seats", "name", undefined] as const) {
      const { message, next } = describe(begun, "trip", doing);
      expect(`${message} ${next}`).not.toMatch(/cancelled here/);
      expect(next).toMatch(/^Nothing was changed\./);
    }
  });

  it("words a seat change within 24 hours by its rule, not by our text with the code in front", () => {
    // It read "Change_cutoff_24h: seats can no longer be changed within 24 hours of departure."
    const late = describe({ type: "https://skyfare.dev/problems/validation-error", rule: "change_cutoff_24h" });
    expect(late.message).toBe("Seats can no longer be changed here: your first flight leaves within 24 hours.");
    expect(`${late.message} ${late.next}`).not.toMatch(/change_cutoff|fields marked/i);
  });

  it("speaks of a new price only when the conflict brings one", () => {
    // A sold-out offer at booking, an airline refusing a change: no price to review.
    const refused = describe({ type: "https://skyfare.dev/problems/conflict" });
    expect(`${refused.message} ${refused.next}`).not.toMatch(/price|changed this offer/);
    expect(refused.next).toMatch(/Nothing was changed/);
  });

  it("asks for a fresh sign-in, not the first one, when the sign-in is too old for the act", () => {
    const stale = describe({ type: "https://skyfare.dev/problems/insufficient-user-authentication" });
    expect(stale.message).toMatch(/fresh sign-in/);
    expect(stale.next).toMatch(/Sign in again/);
    expect(stale.next).toMatch(/confirm once more/);
  });

  it("blames the airlines for a 503 only on a screen that asks them", () => {
    const unavailable = { type: "https://skyfare.dev/problems/service-unavailable" };
    expect(describe(unavailable).message).toBe("The airlines cannot be reached right now.");
    for (const backing of ["payment", "trips", "trip", "profile", "support"] as const) {
      expect(describe(unavailable, backing).message).not.toMatch(/airline/i);
      expect(describe(unavailable, backing).next).toMatch(/Nothing was changed/);
    }
    expect(describe(unavailable, "profile").message).toMatch(/profile/);
  });

  it("has a fallback for a type it does not know", () => {
    expect(describe({ type: "about:blank" }).message).toBe("Something went wrong.");
  });

  it("says which limit was reached: unpaid holds point to My trips, saved travelers to deleting one", () => {
    const limit = (name: string) => describe({ type: "https://skyfare.dev/problems/limit-reached", limit: name });
    expect(limit("open_holds").next).toMatch(/My trips/);
    expect(limit("held_seats_per_flight").next).toMatch(/My trips/);
    expect(limit("saved_travelers").next).toMatch(/Delete one/);
  });
});

group("fieldErrors", () => {
  it("puts each error beside its field and keeps the others apart", () => {
    const problem = validation([
      { field: "slices[0].origin", message: "unknown airport 'XXX'" },
      { field: "passengers.adults", message: "must be between 1 and 9" },
      { field: "max_price", message: "must be positive" },
    ]);
    const { byField, other } = fieldErrors(problem, searchFieldFor("one-way"));
    // As sentences: the API's words are lower case and unstopped, for a client to present.
    expect(byField).toEqual({ "origin-0": "Unknown airport 'XXX'.", adults: "Must be between 1 and 9." });
    expect(other).toEqual([{ field: "max_price", message: "Must be positive." }]);
  });

  it("maps a round trip's return slice to the outbound fields and the return date", () => {
    const problem = validation([
      { field: "slices[1].departure_date", message: "date is in the past" },
      { field: "slices[1].origin", message: "unknown airport 'ZZZ'" },
    ]);
    const { byField } = fieldErrors(problem, searchFieldFor("round-trip"));
    expect(byField).toEqual({ return: "Date is in the past.", "destination-0": "Unknown airport 'ZZZ'." });
  });

  it("keeps a multi-city slice's errors on its own leg", () => {
    const problem = validation([{ field: "slices[2].departure_date", message: "must be a date YYYY-MM-DD" }]);
    const sent = { slices: [{ departure_date: "2027-01-04" }, { departure_date: "2027-01-06" }, { departure_date: "" }] };
    expect(fieldErrors(problem, searchFieldFor("multi-city"), sent).byField).toEqual({
      "date-2": FULL_DATE,
    });
  });

  it("asks for a whole date where none was sent, not for a format the picker does not show", () => {
    // A date input left empty or half typed sends ""; the browser shows it as dd/mm/yyyy or
    // mm/dd/yyyy, so "must be a date YYYY-MM-DD" told the traveler to type what they cannot.
    const problem = validation([
      { field: "slices[0].departure_date", message: "must be a date YYYY-MM-DD" },
      { field: "slices[1].departure_date", message: "required" },
      { field: "slices[2].departure_date", message: "must be a date, YYYY-MM-DD" },
      { field: "slices[3].departure_date", message: "date is in the past" },
    ]);
    const sent = { slices: [{ departure_date: "" }, {}, { departure_date: "2027-1" }, { departure_date: "2020-01-04" }] };
    expect(fieldErrors(problem, searchFieldFor("multi-city"), sent).byField).toEqual({
      "date-0": FULL_DATE,
      "date-1": FULL_DATE,
      "date-2": FULL_DATE,
      "date-3": "Date is in the past.",
    });
  });

  it("knows an unread date by the problem's field and the value sent there, whatever the API's words", () => {
    // Was: a pattern over the API's text ("… date YYYY-MM-DD"), which a reworded message broke.
    const problem = validation([
      { field: "passengers[0].born_on", message: "invalid value" },
      { field: "passengers[1].born_on", message: "must be a date YYYY-MM-DD" },
      { field: "passengers[1].given_name", message: "required" },
    ]);
    const sent = { passengers: [{ born_on: "" }, { born_on: "2031-02-30", given_name: "" }] };
    expect(fieldErrors(problem, passengerFieldFor, sent).byField).toEqual({
      "p0-born_on": FULL_DATE,
      // A whole date the API still refused: its reason, not a request for what was given.
      "p1-born_on": "Must be a date YYYY-MM-DD.",
      "p1-given_name": "Required.",
    });
  });

  it("asks for the gender as the select offers it, not as the API's letters", () => {
    // "must be one of: m, f, x" beside a select of Female, Male and Unspecified (X).
    const problem = validation([
      { field: "passengers[0].gender", message: "must be one of: m, f, x" },
      { field: "passengers[0].type", message: "must be one of: adult, child, infant" },
    ]);
    expect(fieldErrors(problem, passengerFieldFor).byField).toEqual({
      "p0-gender": "Choose the gender as on the passport.",
      "p0-type": "Must be one of: adult, child, infant.",
    });
    expect(fieldErrors(validation([{ field: "gender", message: "must be one of: m, f, x" }]), (f) => f).byField).toEqual({
      gender: "Choose the gender as on the passport.",
    });
    // Left at "Choose…": the API calls a field left out required, then lists what it takes.
    expect(fieldErrors(validation([{ field: "gender", message: "required: one of: m, f, x" }]), (f) => f).byField).toEqual({
      gender: "Choose the gender as on the passport.",
    });
  });

  it("joins two errors of one field, sentence after sentence", () => {
    const problem = validation([
      { field: "slices[0].origin", message: "a" },
      { field: "slices[0].origin", message: "b" },
    ]);
    expect(fieldErrors(problem, searchFieldFor("one-way")).byField).toEqual({ "origin-0": "A. B." });
  });

  it("asks for an airport from the list where a city's name was typed, not for an IATA code", () => {
    // "London" typed in a field whose placeholder says "City or airport", and Search pressed
    // without choosing from the list: "Must be a 3-letter IATA airport code" beside it.
    const problem = validation([
      { field: "slices[0].origin", message: "must be a 3-letter IATA airport code" },
      { field: "slices[0].destination", message: "unknown airport 'XXX'" },
      { field: "slices[1].destination", message: "must be a 3-letter IATA airport code" },
      { field: "slices[1].origin", message: "unknown airport 'XXX'" },
    ]);
    const sent = { slices: [{ origin: "LONDON", destination: "XXX" }, { origin: "XXX", destination: "LONDON" }] };
    expect(fieldErrors(problem, searchFieldFor("round-trip"), sent).byField).toEqual({
      "origin-0": "Type a city or airport, then choose an airport from the list.",
      // A code of three letters the API does not know: its own words, which name it.
      "destination-0": "Unknown airport 'XXX'.",
    });
  });

  it("asks for a document's country as two letters where its name was typed, not for an ISO code", () => {
    const problem = validation([{ field: "document.issuing_country", message: "must be an ISO 3166-1 alpha-2 country code" }]);
    const typed = (issuing_country: string) => fieldErrors(problem, (f) => f, { document: { issuing_country } }).byField;
    expect(typed("United Kingdom")).toEqual({
      "document.issuing_country": "Enter the country's two-letter code, as on the document: GB for the United Kingdom, FR for France.",
    });
    // Two letters that are no country's: the API's words, as sent (a rule this app cannot know).
    expect(typed("ZZ")).toEqual({ "document.issuing_country": "Must be an ISO 3166-1 alpha-2 country code." });
  });

  it("says a message once when a round trip's two slices both name the field", () => {
    const problem = validation([
      { field: "slices[0].origin", message: "must be a 3-letter IATA airport code" },
      { field: "slices[1].destination", message: "must be a 3-letter IATA airport code" },
    ]);
    expect(fieldErrors(problem, searchFieldFor("round-trip")).byField).toEqual({
      "origin-0": "Must be a 3-letter IATA airport code.",
    });
  });
});

group("passenger errors", () => {
  it("puts each passenger's error beside that passenger's field", () => {
    const problem = validation([
      { field: "passengers[0].born_on", message: "must be in the past" },
      { field: "passengers[1].given_name", message: "required" },
      { field: "offer_id", message: "unknown offer" },
    ]);
    const { byField, other } = fieldErrors(problem, passengerFieldFor);
    expect(byField).toEqual({ "p0-born_on": "Must be in the past.", "p1-given_name": "Required." });
    expect(other).toEqual([{ field: "offer_id", message: "Unknown offer." }]);
  });
});

group("a request that got no answer", () => {
  afterEach(() => vi.unstubAllGlobals());

  it("is told as offline only when the browser is offline", () => {
    vi.stubGlobal("navigator", { onLine: false });
    expect(describe(offlineProblem()).message).toBe("You appear to be offline.");
  });

  it("is told as Skyfare not reached, with a retry, when the browser is online", () => {
    vi.stubGlobal("navigator", { onLine: true });
    expect(describe(offlineProblem())).toEqual({
      message: "We could not reach Skyfare.",
      next: "Check your connection and try again in a moment.",
    });
  });
});
