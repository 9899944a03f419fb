import { localDate } from "../../lib/format";
import { MAX_LEGS, type SearchForm } from "./model";

/**
 * The form's days that cannot be searched for being past or out of order, worded beside each
 * (form field name → sentence), checked before the search is sent. The date inputs carried `min`
 * for this, and Chromium refused such a day with a bubble of its own, apart from every other
 * field's error and unread with the field; the inputs no longer do (`max` was dropped alike).
 * `today` is the API's (UTC, lib/format `todayIso`): a day it would refuse as past is refused
 * here, no other. Empty days are left to the inputs' `required`.
 */
export function dateErrors(form: SearchForm, today: string): Record<string, string> {
  const errors: Record<string, string> = {};
  const past = `Date is in the past: the first day you can search is ${localDate(today)}.`;
  const legs = form.trip === "multi-city" ? form.legs.slice(0, MAX_LEGS) : form.legs.slice(0, 1);
  let latest = "";
  legs.forEach((leg, index) => {
    if (!leg.date) return;
    if (leg.date < today) errors[`date-${index}`] = past;
    else if (leg.date < latest) errors[`date-${index}`] = `Flight ${index + 1} must not leave before an earlier flight (${localDate(latest)}).`;
    if (leg.date > latest) latest = leg.date;
  });
  const outbound = legs[0]?.date ?? "";
  if (form.trip === "round-trip" && form.returnDate) {
    if (form.returnDate < today) errors.return = past;
    else if (form.returnDate < outbound) errors.return = `Return date must not be before the departure date (${localDate(outbound)}).`;
  }
  return errors;
}
