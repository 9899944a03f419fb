import { isoOfDayWords, localDate } from "../../lib/format";

// booking/change_store.py's note, the order's `last_change.detail`: "slice 1 changed to LHR → JFK
// on 21 Dec 2026 (BA117 at 08:25)", "; seats 14C released" when the airline let them go. Notes
// written before the mails' wording was used say the day as "2026-12-21": both read the same.
// (The history's step of the same change comes with these as fields: `details.flight`.)
const FLIGHT_CHANGED = /^slice (\d+) changed to (.*?)(?:; seats (.*) released)?(?: \([a-z]+_[0-9a-z]+\))?$/;
const CHANGED_ON = / on (\d{4}-\d{2}-\d{2}|\d{1,2} [A-Z][a-z]{2} \d{4}) /;

/** A confirmed flight change's `detail` (the order's `last_change`) in the history's words:
 * "Flight 1 is now LHR → JFK on Mon 21 Dec 2026 (BA117 at 08:25)", whichever way its day was written;
 * another text as written. */
export function flightChangeDetail(detail: string): string {
  const [, n = "", to = "", seats] = detail.match(FLIGHT_CHANGED) ?? [];
  if (!n) return detail;
  const when = to.replace(CHANGED_ON, (_, day: string) => ` on ${localDate(isoOfDayWords(day) ?? day)} `);
  return `Flight ${n} is now ${when}${seats ? `; seats ${seats} were released` : ""}`;
}
