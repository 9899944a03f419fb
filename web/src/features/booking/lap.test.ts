import { expect, it } from "vitest";

import { lapWords } from "./lap";

const ada = { type: "adult" as const, given_name: "Ada" };
const byron = { type: "adult" as const, given_name: "Byron" };
const annabella = { type: "child" as const, given_name: "Annabella" };
const baby = { type: "infant" as const, given_name: "Ralph" };

it("names the adult whose lap an infant is on when there is only one", () => {
  expect(lapWords([ada, annabella, baby], 2)).toBe(" (infant, on Ada’s lap)");
});

it("says only that an infant is on a lap when the API does not say whose", () => {
  expect(lapWords([ada, byron, baby], 2)).toBe(" (infant, on a lap)");
});

it("adds nothing for a seated passenger", () => {
  expect([ada, annabella].map((_, index, all) => lapWords(all, index))).toEqual(["", ""]);
});
