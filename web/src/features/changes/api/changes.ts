import { useQuery } from "@tanstack/react-query";
import { useState } from "react";

import { api, type Schemas } from "../../../lib/api/client";
import { ApiProblem, settle } from "../../../lib/api/settle";
import { bankPage } from "../../../lib/bankWait";
import { newFollowMemory, nextPoll } from "../../../lib/follow";

export type ChangeOffer = Schemas["ChangeOfferView"];
export type ChangeOffers = Schemas["ChangeOffers"];
export type SliceSearch = Schemas["SliceSearch"];

/** Change offers for one slice of the order (another date or flight), valid a few minutes;
 * nothing changes until one is confirmed (422: the fare or the airline allows no change). */
export function searchChanges(orderId: string, search: SliceSearch): Promise<ChangeOffers> {
  return settle(() =>
    api.POST("/v1/orders/{order_id}/changes", { params: { path: { order_id: orderId } }, body: search }),
  );
}

/** No answer to go by — a 503 or none at all (offline): what was asked may have been done. */
export function unanswered(problem: { status: number } | null | undefined): boolean {
  return problem?.status === 503 || problem?.status === 0;
}

/** The problem `type` of a confirmation the card's bank holds (3-D Secure): not a refusal, the
 * change waits for the traveler at their bank's page (`url`), still `confirming`. */
export const AT_THE_BANK = "skyfare:change-at-the-bank";

/** Flies the offer's slice instead (410: the offer expired; 409: refused, the trip unchanged).
 * `key` is one per offer chosen, so a retry after a lost answer is not a second change, and
 * the same confirmation sent again once the bank answered finishes it. A 202 (the card's bank
 * asks the traveler to confirm the charge) is thrown as the `AT_THE_BANK` problem with its page:
 * the change is not done, and the screen waits on the bank as on any answer that is not yet. */
export async function confirmChange(orderId: string, offerId: string, key: string, cardToken: string | null): Promise<ChangeOffer> {
  const answer = await settle(() =>
    api.POST("/v1/orders/{order_id}/changes/{change_offer_id}/confirm", {
      params: { path: { order_id: orderId, change_offer_id: offerId }, header: { "Idempotency-Key": key } },
      body: cardToken ? { card_token: cardToken } : {},
    }),
  );
  const url = bankPage(answer.status === "confirming" ? answer.next_action?.url : undefined);
  if (url !== null) throw new ApiProblem({ type: AT_THE_BANK, status: 202, url });
  return answer;
}

/** Gives up a change whose charge waits at the traveler's bank (3-D Secure): its charge is
 * canceled first, then the old flights are put back (`failed`, `given_up`); one the bank
 * confirmed first stands (`confirmed`). Either way the answer is the change as it ended, with the
 * order. 409 `in_progress`: a confirmation or the change sweeper is at it now (retry). */
export function giveUpChange(orderId: string, offerId: string): Promise<ChangeOffer> {
  return settle(() =>
    api.POST("/v1/orders/{order_id}/changes/{change_offer_id}/cancel", {
      params: { path: { order_id: orderId, change_offer_id: offerId } },
    }),
  );
}

/** A 409 telling that a confirmation or the change sweeper holds the change right now (the
 * bank's answer is being read): no refusal, asking again in a moment is safe. */
export function beingChecked(problem: { status: number; in_progress?: unknown } | null | undefined): boolean {
  return problem?.status === 409 && problem.in_progress === true;
}

/** What the trip says of `beingChecked`. */
export const BEING_CHECKED = "Your bank’s answer is being checked — try again in a moment.";

/** A change offer as it is now, followed while `follow` and the offer is still `confirming` (a
 * confirmation whose answer was lost, or that the airline left unanswered: the change sweeper or
 * a retry finishes it), backing off (lib/follow.ts). */
export function useChangeOffer(orderId: string, offerId: string, follow: boolean) {
  const [memory] = useState(newFollowMemory);
  return useQuery<ChangeOffer, ApiProblem>({
    queryKey: ["orders", "change", orderId, offerId],
    enabled: follow,
    retry: false,
    refetchInterval: (query) =>
      nextPoll(memory, query.state, (offer) => offer.status === "confirming", (error) => error instanceof ApiProblem && unanswered(error.problem)),
    refetchIntervalInBackground: false,
    queryFn: ({ signal }) =>
      settle(() =>
        api.GET("/v1/orders/{order_id}/changes/{change_offer_id}", {
          params: { path: { order_id: orderId, change_offer_id: offerId } },
          signal,
        }),
      ),
  });
}
