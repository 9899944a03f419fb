/**
 * The search typed on the home page and not sent yet, in the tab's sessionStorage: it outlives
 * the sign-in's round trip to the identity provider (the page is left and loaded anew), which
 * landed the traveler on an empty form. A search is not a secret (./seenOffers keeps the last
 * results' address alike), but it may hold the profile's home airport: signing out forgets it.
 * What it holds is the search feature's to write and read (features/search/draft.ts).
 */
const DRAFT = "skyfare.searchDraft";

export function storeSearchDraft(value: string): void {
  try {
    sessionStorage.setItem(DRAFT, value);
  } catch {
    // storage refused (a private window's quota): the form starts empty after a sign-in, as before
  }
}

export function storedSearchDraft(): string | null {
  try {
    return sessionStorage.getItem(DRAFT);
  } catch {
    return null;
  }
}

export function forgetSearchDraft(): void {
  try {
    sessionStorage.removeItem(DRAFT);
  } catch {
    // nothing stored, then
  }
}
