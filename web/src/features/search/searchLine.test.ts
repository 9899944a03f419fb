import { expect, it } from "vitest";

import { emptyForm, searchLine } from "./model";

const leg = (origin: string, destination: string, date: string) => ({ origin, destination, date });

it("says the days, who and the cabin searched, which the results' heading (the airports) does not", () => {
  const round = { ...emptyForm(), trip: "round-trip" as const, legs: [leg("LHR", "JFK", "2027-01-05")], returnDate: "2027-01-12" };
  expect(searchLine(round)).toBe("Tue 5 Jan 2027 – Tue 12 Jan 2027 · 1 adult · Economy");
  const oneWay = { ...round, trip: "one-way" as const, adults: 2, infants: 1, cabin: "premium_economy" as const };
  expect(searchLine(oneWay)).toBe("Tue 5 Jan 2027 · 2 adults, 1 infant · Premium economy");
  const multi = { ...round, trip: "multi-city" as const, legs: [leg("LHR", "JFK", "2027-01-05"), leg("JFK", "SFO", "2027-01-09")] };
  expect(searchLine(multi)).toBe("Tue 5 Jan 2027, Sat 9 Jan 2027 · 1 adult · Economy");
});
