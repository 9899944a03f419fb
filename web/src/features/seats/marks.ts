import type { SeatedPassenger } from "./choices";

const initials = (words: string[]) => `${words[0]?.[0] ?? ""}${words.length > 1 ? (words.at(-1)?.[0] ?? "") : ""}`.toUpperCase();
const opening = (word: string) => `${word.slice(0, 1).toUpperCase()}${word.slice(1, 2).toLowerCase()}`;

/** What a chosen seat shows for each passenger (pas_N → mark): their initials ("AL"), unless
 * another passenger of the trip has the same (a family: Wally, Wilma and Wes Walker were all
 * "WW", so no one could tell whose seat was whose): then the first two letters of the given name
 * ("Wa", "Wi", "We"), and where even those meet, the passenger's number. */
export function seatMarks(passengers: readonly SeatedPassenger[]): Record<string, string> {
  const words = passengers.map((p) => p.name.split(/\s+/).filter(Boolean));
  const taken = (marks: string[], index: number) => marks.some((m, other) => other !== index && m === marks[index]);
  let marks = words.map(initials);
  marks = marks.map((mark, index) => (taken(marks, index) ? opening(words[index]?.[0] ?? "") : mark));
  marks = marks.map((mark, index) => (!mark || taken(marks, index) ? String(index + 1) : mark));
  return Object.fromEntries(passengers.map((p, index) => [p.id, marks[index] ?? String(index + 1)]));
}
