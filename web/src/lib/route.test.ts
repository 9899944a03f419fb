import { describe, expect, it } from "vitest";

import { tripRoute } from "./route";

const leg = (origin: string, destination: string) => ({ origin, destination });

describe("tripRoute", () => {
  it("writes a one-way flight with an arrow", () => {
    expect(tripRoute([leg("LHR", "JFK")])).toBe("LHR → JFK");
  });

  it("writes a round trip as there and back, not as its first flight", () => {
    expect(tripRoute([leg("LHR", "JFK"), leg("JFK", "LHR")])).toBe("LHR ⇄ JFK");
  });

  it("chains flights that leave from where the last one landed", () => {
    expect(tripRoute([leg("LHR", "CDG"), leg("CDG", "FRA"), leg("FRA", "LHR")])).toBe("LHR → CDG → FRA → LHR");
  });

  it("names every airport of flights that do not chain", () => {
    // An open jaw: the traveler makes their own way from Paris to Frankfurt; CDG was left out.
    expect(tripRoute([leg("LHR", "CDG"), leg("FRA", "LHR")])).toBe("LHR → CDG, FRA → LHR");
  });

  it("writes nothing for no flights", () => {
    expect(tripRoute([])).toBe("");
  });
});
