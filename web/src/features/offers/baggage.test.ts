import { describe, expect, it } from "vitest";

import type { Schemas } from "../../lib/api/client";
import { baggageWords, offerBaggage } from "./baggage";

const checked = (quantity: number, max_weight_kg?: number) => ({ type: "checked" as const, quantity, max_weight_kg });
const carryOn = (quantity: number) => ({ type: "carry_on" as const, quantity });

describe("baggageWords", () => {
  it("names checked bags with their weight, and the carry-on beside them", () => {
    expect(baggageWords([checked(1, 23)])).toBe("1 checked bag, 23 kg");
    expect(baggageWords([checked(1, 23), carryOn(1)])).toBe("1 checked bag, 23 kg, plus carry-on");
    expect(baggageWords([checked(2, 32), carryOn(2)])).toBe("2 checked bags, 32 kg each, plus 2 carry-on bags");
  });

  it("leaves the weight out when the airline gives none", () => {
    expect(baggageWords([checked(1)])).toBe("1 checked bag");
  });

  it("says carry-on only, or nothing included, when no checked bag is", () => {
    expect(baggageWords([carryOn(1)])).toBe("carry-on only");
    expect(baggageWords([])).toBe("no bags included");
  });

  it("says the airline did not report it rather than guessing", () => {
    expect(baggageWords(undefined)).toBe("not reported by the airline");
    expect(baggageWords(null)).toBe("not reported by the airline");
  });
});

function segment(flight: string, baggages: Schemas["Segment"]["baggages"]): Schemas["Segment"] {
  return {
    marketing_carrier: flight.slice(0, 2),
    flight_number: flight,
    origin: "LHR",
    destination: "JFK",
    departing_at: "2026-12-20T08:25:00",
    arriving_at: "2026-12-20T11:35:00",
    aircraft: "777",
    cabin_class: "economy",
    baggages,
  };
}

describe("offerBaggage", () => {
  it("says it once when every flight includes the same", () => {
    const slice = { origin: "LHR", destination: "JFK", duration: "PT8H", segments: [segment("BA1", [carryOn(1)]), segment("BA2", [carryOn(1)])] };
    expect(offerBaggage([slice])).toEqual([{ flight: "", words: "carry-on only" }]);
  });

  it("names each flight when they differ", () => {
    const slice = { origin: "LHR", destination: "JFK", duration: "PT8H", segments: [segment("BA1", [checked(1, 23)]), segment("AA2", undefined)] };
    expect(offerBaggage([slice])).toEqual([
      { flight: "BA1 LHR → JFK", words: "1 checked bag, 23 kg" },
      { flight: "AA2 LHR → JFK", words: "not reported by the airline" },
    ]);
  });
});
