import { describe, expect, it } from "vitest";

import { emptyForm, fromParams, pricedCurrency, type PreferredField, type SearchPreferences, toParams, toRequest, withPreferences } from "./model";

const LONDON_BUSINESS_GBP: SearchPreferences = { origin: "LHR", cabin: "business", currency: "GBP" };
const NOTHING: ReadonlySet<PreferredField> = new Set();

describe("withPreferences", () => {
  it("starts an empty form from the traveler's home airport, cabin and currency", () => {
    const form = withPreferences(emptyForm(), LONDON_BUSINESS_GBP, NOTHING);
    expect(form.legs[0]?.origin).toBe("LHR");
    expect(form.cabin).toBe("business");
    expect(form.currency).toBe("GBP");
    expect(toRequest(form)).toMatchObject({ cabin_class: "business", currency: "GBP" });
  });

  it("leaves every field the traveler typed into as they typed it", () => {
    const typed = { ...emptyForm(), legs: [{ origin: "CDG", destination: "", date: "" }], cabin: "economy" as const, currency: "EUR" as const };
    const form = withPreferences(typed, LONDON_BUSINESS_GBP, new Set<PreferredField>(["origin-0", "cabin", "currency"]));
    expect(form).toEqual(typed);
  });

  it("prices in US dollars when the profile's currency is one search cannot price", () => {
    const form = withPreferences(emptyForm(), { origin: null, cabin: null, currency: "JPY" }, NOTHING);
    expect(form).toEqual(emptyForm());
    expect(toRequest(form).currency).toBe("USD");
  });

  it("changes nothing without preferences, or for a preference left unset", () => {
    expect(withPreferences(emptyForm(), null, NOTHING)).toEqual(emptyForm());
    expect(withPreferences(emptyForm(), { origin: null, cabin: null, currency: null }, NOTHING)).toEqual(emptyForm());
  });
});

describe("the currency in a search's URL", () => {
  it("goes into the link and comes back from it", () => {
    const form = { ...emptyForm(), legs: [{ origin: "LHR", destination: "JFK", date: "2027-01-10" }], currency: "EUR" as const };
    expect(fromParams(toParams(form))?.currency).toBe("EUR");
  });

  it("is US dollars for a link without one, or with one search cannot price", () => {
    expect(fromParams(new URLSearchParams("leg=LHR.JFK.2027-01-10"))?.currency).toBe("USD");
    expect(fromParams(new URLSearchParams("leg=LHR.JFK.2027-01-10&currency=JPY"))?.currency).toBe("USD");
    expect(pricedCurrency("gbp")).toBe("GBP");
  });
});

describe("the airports in a search's URL", () => {
  it("come back as typed, an airport not chosen from the list with a '.' or '%' in it too", () => {
    // Was: leg=St. Louis.JFK.2027-01-10 came back as From "St", To " Louis" and the date "JFK".
    const form = {
      ...emptyForm(),
      trip: "multi-city" as const,
      legs: [
        { origin: "St. Louis", destination: "JFK", date: "2027-01-10" },
        { origin: "JFK", destination: "100%2E.", date: "2027-01-12" },
      ],
    };
    const link = new URLSearchParams(toParams(form).toString());
    expect(fromParams(link)?.legs).toEqual(form.legs);
  });

  it("reads a link written before they were escaped as it was read then", () => {
    expect(fromParams(new URLSearchParams("trip=one-way&leg=CDG.JFK.2027-01-10"))?.legs).toEqual([
      { origin: "CDG", destination: "JFK", date: "2027-01-10" },
    ]);
  });
});
