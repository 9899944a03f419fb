import { forgetSearchDraft, storedSearchDraft, storeSearchDraft } from "../../lib/searchDraft";
import { fromParams, type PreferredField, type SearchForm, toParams } from "./model";

/** A search being typed: the form, and the fields typed into (the profile's preferences fill
 * only the others: after a sign-in, the traveler's own choices must still win). */
export interface Draft {
  form: SearchForm;
  typed: ReadonlySet<PreferredField>;
}

const PREFERRED: readonly PreferredField[] = ["origin-0", "cabin", "currency"];

/** Keep the search being typed, in the words of the results' address (`toParams`): one format,
 * read back by the parser every shared link goes through. */
export function rememberDraft(form: SearchForm, typed: ReadonlySet<PreferredField>): void {
  const params = toParams(form);
  for (const field of typed) params.append("typed", field);
  storeSearchDraft(params.toString());
}

/** The search typed before the page was left (a sign-in, a reload), if any. */
export function resumedDraft(): Draft | null {
  const stored = storedSearchDraft();
  if (!stored) return null;
  const params = new URLSearchParams(stored);
  const form = fromParams(params);
  if (!form) return null;
  const typed = new Set(PREFERRED.filter((field) => params.getAll("typed").includes(field)));
  return { form, typed };
}

/** The search was sent: the results' address holds it now, and the form starts anew. */
export function forgetDraft(): void {
  forgetSearchDraft();
}
