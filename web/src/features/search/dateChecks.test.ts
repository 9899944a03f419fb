import { expect, it } from "vitest";

import { dateErrors } from "./dateChecks";
import { emptyForm, type SearchForm } from "./model";

const TODAY = "2027-03-10";

function form(change: Partial<SearchForm>): SearchForm {
  return { ...emptyForm(), ...change };
}

it("says a past departure day beside the field, with the first day that can be searched", () => {
  const errors = dateErrors(form({ trip: "one-way", legs: [{ origin: "LHR", destination: "JFK", date: "2027-03-09" }] }), TODAY);
  expect(errors).toEqual({ "date-0": "Date is in the past: the first day you can search is Wed 10 Mar 2027." });
});

it("takes today and later, and leaves an empty day to the field's required", () => {
  const legs = [{ origin: "LHR", destination: "JFK", date: TODAY }];
  expect(dateErrors(form({ trip: "one-way", legs }), TODAY)).toEqual({});
  expect(dateErrors(form({ trip: "round-trip", legs, returnDate: "" }), TODAY)).toEqual({});
  expect(dateErrors(form({ trip: "one-way", legs: [{ ...legs[0]!, date: "" }] }), TODAY)).toEqual({});
});

it("refuses a return before the departure, and a past one as past", () => {
  const legs = [{ origin: "LHR", destination: "JFK", date: "2027-03-20" }];
  expect(dateErrors(form({ trip: "round-trip", legs, returnDate: "2027-03-19" }), TODAY)).toEqual({
    return: "Return date must not be before the departure date (Sat 20 Mar 2027).",
  });
  expect(dateErrors(form({ trip: "round-trip", legs, returnDate: "2027-03-01" }), TODAY).return).toMatch(/^Date is in the past/);
  // A one-way search keeps a return typed before switching: it is not sent, nor checked.
  expect(dateErrors(form({ trip: "one-way", legs, returnDate: "2027-03-01" }), TODAY)).toEqual({});
});

it("refuses a multi-city flight leaving before an earlier one", () => {
  const legs = [
    { origin: "LHR", destination: "JFK", date: "2027-03-20" },
    { origin: "JFK", destination: "LAX", date: "2027-03-25" },
    { origin: "LAX", destination: "SFO", date: "2027-03-22" },
  ];
  expect(dateErrors(form({ trip: "multi-city", legs }), TODAY)).toEqual({
    "date-2": "Flight 3 must not leave before an earlier flight (Thu 25 Mar 2027).",
  });
});
