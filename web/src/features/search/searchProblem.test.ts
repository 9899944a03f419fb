import { expect, it } from "vitest";

import { fieldErrors, type Problem } from "../../lib/problems";
import { searchFieldFor, searchProblem } from "./model";

const refused = (errors: Problem["errors"]): Problem => ({
  type: "https://skyfare.dev/problems/validation-error",
  status: 422,
  errors,
});

/** What the search form shows beside its fields for `problem`. */
const shown = (problem: Problem, trip: "round-trip" | "one-way") =>
  fieldErrors(searchProblem(problem, trip), searchFieldFor(trip)).byField;

it("says a round trip from and to the same airport beside To only, not 'differ from the origin' beside From", () => {
  // LHR to LHR: the outbound slice's destination and the return's (the form's From) both refused.
  const problem = refused([
    { field: "slices[0].destination", message: "must differ from the origin" },
    { field: "slices[1].destination", message: "must differ from the origin" },
  ]);
  expect(shown(problem, "round-trip")).toEqual({ "destination-0": "Must differ from the origin." });
});

it("keeps a return flight's error the outbound one does not share", () => {
  const problem = refused([
    { field: "slices[0].origin", message: "unknown airport 'QQQ'" },
    { field: "slices[1].destination", message: "unknown airport 'QQQ'" },
    { field: "slices[1].origin", message: "no airline of ours serves this airport" },
    { field: "slices[1].departure_date", message: "date is in the past" },
  ]);
  expect(shown(problem, "round-trip")).toEqual({
    "origin-0": "Unknown airport 'QQQ'.",
    "destination-0": "No airline of ours serves this airport.",
    return: "Date is in the past.",
  });
});

it("leaves a one-way or multi-city search's errors as the API gave them", () => {
  const problem = refused([{ field: "slices[1].destination", message: "must differ from the origin" }]);
  expect(searchProblem(problem, "one-way")).toBe(problem);
  expect(searchProblem(problem, "multi-city")).toBe(problem);
});
