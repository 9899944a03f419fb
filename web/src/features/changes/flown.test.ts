import { expect, it } from "vitest";

import type { Order } from "../../lib/api/client";
import { localMoment } from "../../lib/format";
import { flownWords } from "./flown";

const slice = (origin: string, destination: string, day: string, flight: string) => ({
  origin,
  destination,
  segments: [{ flight_number: flight, origin, destination, departing_at: `${day}T08:25:00`, arriving_at: `${day}T11:35:00` }],
});
const order = { slices: [slice("LHR", "JFK", "2027-02-04", "BA117"), slice("JFK", "LHR", "2027-02-11", "BA112")] } as unknown as Order;
const validation = { type: "https://skyfare.dev/problems/validation-error", status: 422 };
const conflict = { type: "https://skyfare.dev/problems/conflict", status: 409 };

it("names the flight that has flown when the API refuses its slice_index, and what is still open", () => {
  const problem = { ...validation, errors: [{ field: "slice_index", message: "slice 0's first flight has left: it can no longer be changed" }] };
  expect(flownWords(problem, order, 0)).toEqual({
    message: "Your flight LHR → JFK, BA117, Thu 4 Feb 2027 has left, so it can no longer be changed.",
    next: "Nothing was changed. Your later flights can still be changed from your trip. If you missed this flight or it was disrupted, contact support about this trip.",
  });
  // The last flight of the trip: no later one to point to.
  expect(flownWords(problem, order, 1)?.next).toBe("Nothing was changed. If you missed this flight or it was disrupted, contact support about this trip.");
});

it("says when the trip began from the 409's departed_at, in the traveler's time", () => {
  const departed = "2027-02-04T08:25:00Z";
  const words = flownWords({ ...conflict, detail: "the trip has begun", departed_at: departed }, order, 0);
  expect(words?.message).toBe(`Your trip began at ${localMoment(departed)}, when LHR → JFK, BA117, Thu 4 Feb 2027 left, so it can no longer be changed.`);
  expect(words?.next).toMatch(/contact support/);
  const back = flownWords({ ...conflict, departed_at: "2027-02-11T13:25:00Z" }, order, 1);
  expect(back?.message).toBe(`Your flight JFK → LHR, BA112, Thu 11 Feb 2027 left at ${localMoment("2027-02-11T13:25:00Z")}, so it can no longer be changed.`);
});

it("leaves every other problem to the generic words", () => {
  expect(flownWords({ ...conflict, detail: "the airline refused" }, order, 0)).toBeNull();
  expect(flownWords({ ...validation, errors: [{ field: "departure_date", message: "in the past" }] }, order, 0)).toBeNull();
  expect(flownWords(undefined, order, 0)).toBeNull();
});
