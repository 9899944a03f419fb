import type { QueryClient, QueryKey } from "@tanstack/react-query";

import { getSession, watchSession } from "./session";

/**
 * Which query families (a key's first element) hold one traveler's data, and the forgetting of
 * them when the tab's traveler changes. Every way of signing out ends in `setSession(null)` (Sign
 * out, a refused refresh, `account-erased`, a sign-in again leaving the page: features/auth), so
 * the tab forgets there, once, whichever it was; on a shared computer the next person in the tab
 * sees nothing of the last one's, even for a moment before a refetch.
 *
 * Kept: answers that are the same for anyone, so a traveler who signs out on the search page is
 * not made to wait for them again.
 *   airports    the airport finder's matches
 *   calendar    the price calendar's fares
 *   connectors  which airlines are searched
 *   offers      an offer re-priced with its airline (no passenger in it)
 * Forgotten: everything else, so a family added later is personal until decided otherwise.
 *   me          profile, saved travelers and their travel documents
 *   orders      trips, their history, payments and change quotes
 *   seats       an order's seats and seat charges
 *   support     the traveler's support cases and their messages
 * Keys by order id (`orders`, `seats`) or none (`support`) do not name the traveler: they are
 * forgotten whenever the traveler changes, not only on sign-out, so one never answers another.
 */
export const PUBLIC_QUERIES: ReadonlySet<string> = new Set(["airports", "calendar", "connectors", "offers"]);

export function isPersonal(queryKey: QueryKey): boolean {
  return !PUBLIC_QUERIES.has(String(queryKey[0]));
}

/** Cancels the personal queries under way (their answers land nowhere) and drops them all. */
export function forgetPersonalQueries(client: QueryClient): void {
  const personal = { predicate: (query: { queryKey: QueryKey }) => isPersonal(query.queryKey) };
  void client.cancelQueries(personal);
  client.removeQueries(personal);
  // Mutations keep what they sent (passengers, a profile's changes) until collected.
  client.getMutationCache().clear();
}

/** Forgets the personal queries each time the signed-in traveler changes (to no one, or another);
 * a refresh of the same traveler's tokens keeps them. Returns what stops it. */
export function forgetWhenTravelerChanges(client: QueryClient): () => void {
  let subject = getSession()?.subject ?? null;
  return watchSession(() => {
    const next = getSession()?.subject ?? null;
    if (next === subject) return;
    subject = next;
    forgetPersonalQueries(client);
  });
}
