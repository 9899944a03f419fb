import { useQuery } from "@tanstack/react-query";

import { api, type PricedOffer } from "../../../lib/api/client";
import { isProblem, offlineProblem, type Problem } from "../../../lib/problems";

export const offerKeys = {
  all: ["offers"] as const,
  priced: (id: string) => [...offerKeys.all, id] as const,
};

export class OfferProblem extends Error {
  constructor(readonly problem: Problem) {
    super(problem.type);
  }
}

/** `GET /v1/offers/{id}`: the offer re-priced with its airline, every time the page opens. */
export function usePricedOffer(id: string) {
  return useQuery<PricedOffer, OfferProblem>({
    queryKey: offerKeys.priced(id),
    staleTime: 0,
    gcTime: 0,
    retry: false,
    queryFn: async ({ signal }) => {
      let result;
      try {
        result = await api.GET("/v1/offers/{offer_id}", { params: { path: { offer_id: id } }, signal });
      } catch {
        throw new OfferProblem(offlineProblem());
      }
      if (result.error !== undefined) {
        const body: unknown = result.error;
        throw new OfferProblem(isProblem(body) ? body : { type: "about:blank", status: result.response.status });
      }
      return result.data;
    },
  });
}
