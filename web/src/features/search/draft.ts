import { forgetSearchDraft, storedSearchDraft, storeSearchDraft } from "../../lib/searchDraft";
import { fromJson, fromParams, type PreferredField, type SearchForm } from "./model";

/** A search being typed: the form, and the fields typed into (the profile's preferences fill
 * only the others: after a sign-in, the traveler's own choices must still win). */
export interface Draft {
  form: SearchForm;
  typed: ReadonlySet<PreferredField>;
}

const PREFERRED: readonly PreferredField[] = ["origin-0", "cabin", "currency"];

/** Keep the search being typed, as JSON of the form's own fields: exactly as typed. It was kept
 * in the results address's words (`toParams`), whose `leg=LHR.JFK.2027-01-10` misread an airport
 * typed and not chosen from the list, "St. Louis"; and it kept only the legs the trip sends. */
export function rememberDraft(form: SearchForm, typed: ReadonlySet<PreferredField>): void {
  storeSearchDraft(JSON.stringify({ form, typed: [...typed] }));
}

/** The search typed before the page was left (a sign-in, a reload), if any: JSON, or the
 * address's words a tab kept with the previous release (always starting "trip="). */
export function resumedDraft(): Draft | null {
  const stored = storedSearchDraft();
  if (!stored) return null;
  if (!stored.startsWith("{")) return fromAddress(new URLSearchParams(stored));
  let kept: unknown;
  try {
    kept = JSON.parse(stored);
  } catch {
    return null; // not ours to read: the form starts anew
  }
  if (typeof kept !== "object" || kept === null || !("form" in kept)) return null;
  const form = fromJson(kept.form);
  const typed = "typed" in kept && Array.isArray(kept.typed) ? (kept.typed as unknown[]) : [];
  return form && { form, typed: typedFields(typed) };
}

function fromAddress(params: URLSearchParams): Draft | null {
  const form = fromParams(params);
  return form && { form, typed: typedFields(params.getAll("typed")) };
}

const typedFields = (names: readonly unknown[]): ReadonlySet<PreferredField> =>
  new Set(PREFERRED.filter((field) => names.includes(field)));

/** The search was sent: the results' address holds it now, and the form starts anew. */
export function forgetDraft(): void {
  forgetSearchDraft();
}
