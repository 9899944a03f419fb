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
