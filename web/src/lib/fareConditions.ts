import type { Offer } from "./api/client";

/** A fare's conditions in words, said alike on a result card and on the offer's page: whether
 * it can be refunded, and whether its flights can be changed. */
export function conditionWords({ refundable, changeable }: Offer["conditions"]): [string, string] {
  return [refundable ? "Refundable" : "Not refundable", changeable ? "Changes allowed" : "No changes"];
}
