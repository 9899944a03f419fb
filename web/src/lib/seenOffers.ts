import type { Offer } from "./api/client";

/** The offers of the latest search, by id: the offer page compares the re-priced total with the
 * one the traveler clicked. In memory only (a reload re-prices without the comparison). */
const seen = new Map<string, Offer>();

export function rememberOffers(offers: readonly Offer[]): void {
  for (const offer of offers) seen.set(offer.id, offer);
}

export function seenOffer(id: string): Offer | undefined {
  return seen.get(id);
}

/** The latest results page's URL (path and query): "Back to results" and "Search again" lead there
 * (opening it searches again). In sessionStorage, so it outlives the sign-in's round trip; a
 * search is not a secret. */
const RESULTS = "skyfare.results";

export function rememberResults(url: string): void {
  try {
    sessionStorage.setItem(RESULTS, url);
  } catch {
    // storage refused (a private window's quota): "/" instead, a new search
  }
}

export function lastResults(): string {
  try {
    return sessionStorage.getItem(RESULTS) ?? "/";
  } catch {
    return "/";
  }
}
