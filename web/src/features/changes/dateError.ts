import { ageError } from "../../lib/ageRule";
import type { Order } from "../../lib/api/client";
import { localDate } from "../../lib/format";
import { ENTER_WHOLE_DATE, fieldErrors, type Problem } from "../../lib/problems";

/**
 * The words beside the change screen's date for the API's refusal of `departure_date`, or
 * undefined when it refused no date. The API's words ("must not be before slice 0's date
 * (2027-02-04)") count slices from 0 and write dates as ISO: which rule was broken is read from
 * the date sent and the trip's other flights (and its passengers' ages) instead, and said in
 * the app's words and dates.
 */
export function changeDateError(problem: Problem | undefined, order: Order, sliceIndex: number, sent: string | undefined): string | undefined {
  if (!problem) return undefined;
  const refused = fieldErrors(problem, (field) => (field === "departure_date" ? "date" : undefined), { departure_date: sent }).byField.date;
  if (refused === undefined) return undefined;
  if (refused === `${ENTER_WHOLE_DATE}.`) return refused;
  const dayOf = (index: number) => order.slices[index]?.segments[0]?.departing_at.slice(0, 10);
  const earlier = dayOf(sliceIndex - 1);
  const later = dayOf(sliceIndex + 1);
  if (sent && earlier && sent < earlier) {
    return `This flight cannot leave before your earlier flight on ${localDate(earlier)}: choose that day or later.`;
  }
  if (sent && later && sent > later) {
    return `This flight cannot leave after your next flight on ${localDate(later)}: choose that day or earlier.`;
  }
  const age = sent ? ageOnChangedTrip(order, sliceIndex, sent) : undefined;
  if (age) return `${age} Choose another day.`;
  return "This day cannot be searched for this flight: choose another day.";
}

/** A passenger whose age would no longer fit their place were this flight to leave on `day`
 * (an infant 2 by the last flight), in the booking form's words and dates (lib/ageRule). */
function ageOnChangedTrip(order: Order, sliceIndex: number, day: string): string | undefined {
  const flights = order.slices.map((slice, index) => (index === sliceIndex ? { segments: [{ departing_at: day }] } : slice));
  for (const passenger of order.passengers) {
    const words = ageError(passenger.type, flights, passenger.born_on);
    if (words) return `${passenger.given_name} ${passenger.family_name} m${words.slice(1)}`;
  }
  return undefined;
}
