// @vitest-environment jsdom
import { afterEach, describe, expect, it } from "vitest";

import { storeSearchDraft } from "../../lib/searchDraft";
import { rememberDraft, resumedDraft } from "./draft";
import { emptyForm, type PreferredField, type SearchForm } from "./model";

afterEach(() => sessionStorage.clear());

const TYPED: ReadonlySet<PreferredField> = new Set(["origin-0", "currency"]);

describe("the search kept while the traveler signs in", () => {
  it("comes back exactly as typed, airports not chosen from the list included", () => {
    // Was: kept in the results address's words, "St. Louis.JFK.2027-01-10" came back as From
    // "St", To " Louis", and no date.
    const form: SearchForm = {
      ...emptyForm(),
      trip: "multi-city",
      legs: [
        { origin: "St. Louis", destination: "JFK", date: "2027-01-10" },
        { origin: "JFK", destination: "Mt. Hood & Co.", date: "" },
      ],
      returnDate: "2027-01-20",
      adults: 2,
      cabin: "business",
      currency: "EUR",
    };
    rememberDraft(form, TYPED);
    expect(resumedDraft()).toEqual({ form, typed: TYPED });
  });

  it("keeps what was typed into a leg a one-way search does not send", () => {
    const form: SearchForm = {
      ...emptyForm(),
      trip: "one-way",
      legs: [
        { origin: "St. Louis", destination: "Paris", date: "2027-01-10" },
        { origin: "Paris", destination: "Rome", date: "2027-01-15" },
      ],
    };
    rememberDraft(form, new Set());
    expect(resumedDraft()?.form).toEqual(form);
  });

  it("reads back a search kept by the previous release, in the results address's words", () => {
    storeSearchDraft(
      "trip=one-way&leg=CDG.JFK.2027-01-10&adults=2&children=0&infants=0&cabin=premium_economy&currency=EUR" +
        "&typed=origin-0&typed=cabin",
    );
    expect(resumedDraft()).toEqual({
      form: {
        ...emptyForm(),
        trip: "one-way",
        legs: [{ origin: "CDG", destination: "JFK", date: "2027-01-10" }],
        adults: 2,
        cabin: "premium_economy",
        currency: "EUR",
      },
      typed: new Set(["origin-0", "cabin"]),
    });
  });

  it("starts anew from a kept search it cannot read", () => {
    for (const kept of ["{not json", "null", "[]", '{"form": {"legs": []}}', '{"form": 3}']) {
      storeSearchDraft(kept);
      expect(resumedDraft()).toBeNull();
    }
  });

  it("takes the defaults for fields a kept search holds wrongly", () => {
    storeSearchDraft(
      JSON.stringify({
        form: {
          trip: "sideways",
          legs: [{ origin: "LHR", destination: 7 }],
          returnDate: null,
          adults: "2",
          cabin: "steerage",
          currency: "JPY",
        },
        typed: ["origin-0", "nonsense", 1],
      }),
    );
    expect(resumedDraft()).toEqual({
      form: { ...emptyForm(), trip: "one-way", legs: [{ origin: "LHR", destination: "", date: "" }] },
      typed: new Set(["origin-0"]),
    });
  });
});
