import { useQuery } from "@tanstack/react-query";
import { useState } from "react";

import { api, type Schemas } from "../../../lib/api/client";
import { ApiProblem, settle } from "../../../lib/api/settle";
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

/** Flies the offer's slice instead (410: the offer expired; 409: refused, the trip unchanged).
 * `key` is one per offer chosen, so a retry after a lost answer is not a second change. */
export function confirmChange(orderId: string, offerId: string, key: string, cardToken: string | null): Promise<ChangeOffer> {
  return settle(() =>
    api.POST("/v1/orders/{order_id}/changes/{change_offer_id}/confirm", {
      params: { path: { order_id: orderId, change_offer_id: offerId }, header: { "Idempotency-Key": key } },
      body: cardToken ? { card_token: cardToken } : {},
    }),
  );
}

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
