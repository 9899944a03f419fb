import { type InfiniteData, useInfiniteQuery } from "@tanstack/react-query";

import { api, type Schemas } from "../../../lib/api/client";
import { isProblem, offlineProblem, type Problem } from "../../../lib/problems";

export const orderKeys = {
  all: ["orders"] as const,
  list: (subject: string) => [...orderKeys.all, "list", subject] as const,
};

export class OrdersProblem extends Error {
  constructor(readonly problem: Problem) {
    super(problem.type);
  }
}

const PAGE = 10;

/** The traveler's orders, newest first, a page at a time (`meta.after` is the next cursor). */
export function useOrders(subject: string) {
  return useInfiniteQuery<
    Schemas["OrderList"],
    OrdersProblem,
    InfiniteData<Schemas["OrderList"], string | undefined>,
    ReturnType<typeof orderKeys.list>,
    string | undefined
  >({
    queryKey: orderKeys.list(subject),
    initialPageParam: undefined,
    getNextPageParam: (last) => last.meta.after ?? undefined,
    retry: false,
    queryFn: async ({ pageParam, signal }) => {
      let result;
      try {
        result = await api.GET("/v1/orders", {
          params: { query: pageParam ? { limit: PAGE, after: pageParam } : { limit: PAGE } },
          signal,
        });
      } catch {
        throw new OrdersProblem(offlineProblem());
      }
      if (result.error !== undefined) {
        const body: unknown = result.error;
        throw new OrdersProblem(isProblem(body) ? body : { type: "about:blank", status: result.response.status });
      }
      return result.data;
    },
  });
}
