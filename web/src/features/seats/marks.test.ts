import { describe, expect, it } from "vitest";

import { seatMarks } from "./marks";

const people = (...names: string[]) => names.map((name, index) => ({ id: `pas_${index + 1}`, name }));

describe("seatMarks", () => {
  it("marks each seat with its passenger's initials", () => {
    expect(seatMarks(people("Ada Lovelace", "Charles Babbage"))).toEqual({ pas_1: "AL", pas_2: "CB" });
  });

  it("takes the first and the last name's initials", () => {
    expect(seatMarks(people("Mary Ann Evans"))).toEqual({ pas_1: "ME" });
  });

  it("tells a family whose initials are the same apart by their given names", () => {
    expect(seatMarks(people("Wally Walker", "Wilma Walker", "Wes Walker", "Ada Lovelace"))).toEqual({
      pas_1: "Wa",
      pas_2: "Wi",
      pas_3: "We",
      pas_4: "AL",
    });
  });

  it("numbers the passengers whose given names start alike too", () => {
    expect(seatMarks(people("Anna Smith", "Anne Smith", "Bob Smith"))).toEqual({ pas_1: "1", pas_2: "2", pas_3: "BS" });
  });
});
