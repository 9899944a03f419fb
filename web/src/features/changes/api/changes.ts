import { api, type Schemas } from "../../../lib/api/client";
import { settle } from "../../../lib/api/settle";

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
