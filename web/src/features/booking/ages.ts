import { ageError, fitsAge, type Flown, ruleWords } from "../../lib/ageRule";
import type { Traveler } from "../profile";
import type { PassengerType } from "./model";

/** `errors` (the form's, by field name) with each refused date of birth that breaks the age
 * rule said as `ageError` words it. */
export function withAgeWords(
  errors: Record<string, string>,
  passengers: readonly { type: PassengerType; born_on: string }[],
  slices: Flown,
): Record<string, string> {
  const worded = { ...errors };
  passengers.forEach((passenger, index) => {
    const field = `p${index}-born_on`;
    const words = worded[field] === undefined ? undefined : ageError(passenger.type, slices, passenger.born_on);
    if (words) worded[field] = words;
  });
  return worded;
}

/**
 * The saved travelers offered for a place of `type`: those whose age fits it and who are not
 * chosen for another place, and the one already chosen (it stays shown as chosen; the API says what is wrong with it). The others are
 * named with why ("Aged 2 to 11 on …"), so a traveler missing from the list is not a mystery.
 */
export interface SavedTravelers {
  offered: Traveler[];
  notOffered: Traveler[];
  /** The place's age rule in words ("Under 2 on …"), to say why the others are not offered. */
  rule: string | undefined;
}

export function travelersFor(
  type: PassengerType,
  slices: Flown,
  travelers: readonly Traveler[],
  chosen: string,
  /** Chosen for another place: one person takes one place (the API refuses a second). */
  chosenElsewhere: ReadonlySet<string> = new Set(),
): SavedTravelers {
  const offered: Traveler[] = [];
  const notOffered: Traveler[] = [];
  for (const traveler of travelers) {
    if (traveler.id !== chosen && chosenElsewhere.has(traveler.id)) continue;
    (traveler.id === chosen || fitsAge(type, slices, traveler.born_on) ? offered : notOffered).push(traveler);
  }
  return { offered, notOffered, rule: ruleWords(type, slices) };
}
