import type { Schemas } from "./api/client";
import { localDate, todayIso } from "./format";

type PassengerType = Schemas["Passenger"]["type"];
/** The trip's flights as far as an age is concerned: the day each leaves. */
export type Flown = { segments: { departing_at: string }[] }[];

/**
 * The age the airline asks of each passenger type (booking/validation.py `age_problem`), in
 * whole years on one flight's day: an adult 12 or older and a child 2 to 11 when the first
 * flight leaves, an infant under 2 when the last one leaves (a lap is no seat on any flight).
 * One rule: the hint under a date of birth, the saved travelers offered for a place, and the
 * words of an age the API refused (booking, or a flight change moving a day) all come from it.
 */
const AGES: Record<PassengerType, { from: number; below: number | null; on: "first" | "last" }> = {
  adult: { from: 12, below: null, on: "first" },
  child: { from: 2, below: 12, on: "first" },
  infant: { from: 0, below: 2, on: "last" },
};

/** The day the age of `type` is counted on, and which flight's it is ("", "first ", "last "). */
function countedOn(type: PassengerType, slices: Flown): { day: string; which: string } | null {
  const first = slices[0]?.segments[0]?.departing_at;
  const last = slices[slices.length - 1]?.segments.at(-1)?.departing_at;
  if (!first || !last) return null;
  const oneDay = first.slice(0, 10) === last.slice(0, 10);
  const on = AGES[type].on;
  return { day: (on === "first" ? first : last).slice(0, 10), which: oneDay ? "" : `${on} ` };
}

/** Whole years of age on `day` (YYYY-MM-DD both), as the API counts them (`age_on`). */
function ageOn(bornOn: string, day: string): number {
  const years = Number(day.slice(0, 4)) - Number(bornOn.slice(0, 4));
  return years - (day.slice(5, 10) < bornOn.slice(5, 10) ? 1 : 0);
}

export function ruleWords(type: PassengerType, slices: Flown): string | undefined {
  const counted = countedOn(type, slices);
  if (!counted) return undefined;
  const { from, below } = AGES[type];
  const ages = below === null ? `${from} or older` : from === 0 ? `Under ${below}` : `Aged ${from} to ${below - 1}`;
  return `${ages} on ${localDate(counted.day)}, when the ${counted.which}flight leaves`;
}

/**
 * What the airline asks of a child's or an infant's age, said under their date of birth before
 * the API refuses it. Nothing for an adult: nearly every adult is one, and a hint on every
 * booking's first passenger would be read by none.
 */
export function ageRule(type: PassengerType, slices: Flown): string | undefined {
  return type === "adult" ? undefined : ruleWords(type, slices);
}

/** Whether someone born on `bornOn` may take a place of `type` on these flights (unknown days: yes,
 * the API is asked). */
export function fitsAge(type: PassengerType, slices: Flown, bornOn: string): boolean {
  const counted = countedOn(type, slices);
  if (!counted || !/^\d{4}-\d\d-\d\d$/.test(bornOn)) return true;
  const age = ageOn(bornOn, counted.day);
  const { from, below } = AGES[type];
  return age >= from && (below === null || age < below);
}

/**
 * The API's refusal of a date of birth for the passenger's age, said by the hint's rule and in
 * its dates ("Must be under 2 on Sat 16 Jan 2027, when the flight leaves: this passenger is 2
 * then"): the API writes "must be under 2 at departure (2027-01-16)" beside a hint saying
 * "Sat 16 Jan 2027". Undefined when this date fits the rule or is not yet past (`today`, the
 * API's UTC day): the API refused it for another reason ("must be in the past"), its words stay.
 */
export function ageError(type: PassengerType, slices: Flown, bornOn: string, today = todayIso()): string | undefined {
  const counted = countedOn(type, slices);
  const rule = ruleWords(type, slices);
  if (!counted || !rule || bornOn >= today || fitsAge(type, slices, bornOn)) return undefined;
  const age = ageOn(bornOn, counted.day);
  return `Must be ${rule.charAt(0).toLowerCase()}${rule.slice(1)}: this passenger is ${age} then.`;
}

