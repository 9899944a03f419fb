import { expect, it } from "vitest";

import { lapWords } from "./lap";

const ada = { type: "adult" as const, given_name: "Ada" };
const byron = { type: "adult" as const, given_name: "Byron" };
const annabella = { type: "child" as const, given_name: "Annabella" };
const baby = { type: "infant" as const, given_name: "Ralph" };

it("names the adult the order puts the infant on, not the first adult", () => {
  // Was: with two adults, "on a lap" (whose was not recorded), though Byron holds Ralph.
  expect(lapWords([ada, { ...byron, infant_passenger_id: "pas_3" }, baby], 2)).toBe(" (infant, on Byron’s lap)");
  expect(lapWords([{ ...ada, infant_passenger_id: "pas_3" }, annabella, baby], 2)).toBe(" (infant, on Ada’s lap)");
});

it("says only that an infant is on a lap when no adult names them", () => {
  expect(lapWords([ada, byron, baby], 2)).toBe(" (infant, on a lap)");
});

it("adds nothing for a seated passenger", () => {
  expect([ada, annabella].map((_, index, all) => lapWords(all, index))).toEqual(["", ""]);
});
