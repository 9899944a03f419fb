import { expect, it } from "vitest";

import { testTraveler } from "../../lib/testTraveler";
import type { Traveler } from "../profile";
import { ageError, ageRule, fitsAge } from "../../lib/ageRule";
import { travelersFor } from "./ages";

const flights = (...days: string[]) => days.map((day) => ({ segments: [{ departing_at: `${day}T17:45:00` }] }));

it("says the age the airline asks of a child and an infant, by the days their flights leave", () => {
  // The rule was learnt from the API's refusal: "an infant must be under 2 at departure
  // (2027-01-16); this passenger is 3".
  const there = flights("2027-01-16");
  expect(ageRule("infant", there)).toBe("Under 2 on Sat 16 Jan 2027, when the flight leaves");
  expect(ageRule("child", there)).toBe("Aged 2 to 11 on Sat 16 Jan 2027, when the flight leaves");
  expect(ageRule("adult", there)).toBeUndefined();
  const andBack = flights("2027-01-16", "2027-01-23");
  expect(ageRule("infant", andBack)).toBe("Under 2 on Sat 23 Jan 2027, when the last flight leaves");
  expect(ageRule("child", andBack)).toBe("Aged 2 to 11 on Sat 16 Jan 2027, when the first flight leaves");
});

it("counts whole years on the flight's day, as the API does", () => {
  const there = flights("2027-01-16");
  expect(fitsAge("infant", there, "2025-01-17")).toBe(true); // 1 the day before the second birthday
  expect(fitsAge("infant", there, "2025-01-16")).toBe(false); // 2 on the day
  expect(fitsAge("child", there, "2025-01-16")).toBe(true);
  expect(fitsAge("child", there, "2015-01-16")).toBe(false); // 12
  expect(fitsAge("adult", there, "2015-01-16")).toBe(true);
  expect(fitsAge("adult", there, "2015-01-17")).toBe(false); // 11
  // An infant is under 2 on every flight: counted on the last one's day.
  expect(fitsAge("infant", flights("2027-01-16", "2027-01-23"), "2025-01-20")).toBe(false);
  expect(fitsAge("child", flights("2027-01-16", "2027-01-23"), "2025-01-20")).toBe(false); // 1 at the first
});

it("offers for a place only the saved travelers whose age fits it, and the one chosen", () => {
  const there = flights("2027-01-16");
  const saved = [testTraveler("ada", "Ada", "1990-12-10"), testTraveler("byron", "Byron", "2019-05-01"), testTraveler("annabella", "Annabella", "2026-06-01")];
  const names = (list: Traveler[]) => list.map((t) => t.id);
  const infant = travelersFor("infant", there, saved, "");
  expect([names(infant.offered), names(infant.notOffered)]).toEqual([["annabella"], ["ada", "byron"]]);
  expect(infant.rule).toBe("Under 2 on Sat 16 Jan 2027, when the flight leaves");
  expect(names(travelersFor("child", there, saved, "").offered)).toEqual(["byron"]);
  expect(names(travelersFor("adult", there, saved, "").offered)).toEqual(["ada"]);
  expect(travelersFor("adult", there, saved, "").rule).toBe("12 or older on Sat 16 Jan 2027, when the flight leaves");
  // Chosen before (a new price carried the passengers over): still shown as chosen.
  expect(names(travelersFor("infant", there, saved, "ada").offered)).toEqual(["ada", "annabella"]);
});

it("does not offer a saved traveler chosen for another place, except where chosen", () => {
  const there = flights("2027-01-16");
  const saved = [testTraveler("ada", "Ada", "1990-12-10"), testTraveler("grace", "Grace", "1988-03-04")];
  const names = (list: Traveler[]) => list.map((t) => t.id);
  const second = travelersFor("adult", there, saved, "", new Set(["ada", ""]));
  expect([names(second.offered), names(second.notOffered)]).toEqual([["grace"], []]);
  // The place that has her keeps her.
  expect(names(travelersFor("adult", there, saved, "ada", new Set(["ada"])).offered)).toEqual(["ada", "grace"]);
});

it("words an age the API refused by the hint's rule and dates, never its ISO date", () => {
  // The API: "an infant must be under 2 at departure (2027-01-16); this passenger is 2".
  const there = flights("2027-01-16");
  expect(ageError("infant", there, "2025-01-16")).toBe("Must be under 2 on Sat 16 Jan 2027, when the flight leaves: this passenger is 2 then.");
  expect(ageError("child", flights("2027-01-16", "2027-01-23"), "2025-06-01")).toBe(
    "Must be aged 2 to 11 on Sat 16 Jan 2027, when the first flight leaves: this passenger is 1 then.",
  );
  expect(ageError("adult", there, "2020-01-01")).toBe("Must be 12 or older on Sat 16 Jan 2027, when the flight leaves: this passenger is 7 then.");
  // A date that fits, or one not yet past: the API refused it for another reason ("must be in the past").
  expect(ageError("infant", there, "2026-01-16")).toBeUndefined();
  expect(ageError("adult", there, "2026-12-20", "2026-12-07")).toBeUndefined();
});
