import { type InfiniteData, useInfiniteQuery, useQuery } from "@tanstack/react-query";

import { api, type Order, type Schemas } from "../../../lib/api/client";
import { isProblem, offlineProblem, type Problem } from "../../../lib/problems";

export const orderKeys = {
  all: ["orders"] as const,
  list: (subject: string) => [...orderKeys.all, "list", subject] as const,
  inFlight: (subject: string) => [...orderKeys.all, "in-flight", subject] as const,
};

export class OrdersProblem extends Error {
  constructor(readonly problem: Problem) {
    super(problem.type);
  }
}

const PAGE = 10;
// The most GET /v1/orders gives in one page (booking/pagination.py LIMIT_MAX): a traveler's
// trips in flight are one request.
const WHOLE = 200;

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
    queryFn: ({ pageParam, signal }) => fetchPage(pageParam ? { limit: PAGE, after: pageParam } : { limit: PAGE }, signal),
  });
}

type ListQuery = { limit: number; after?: string; in_flight?: boolean };

async function fetchPage(query: ListQuery, signal: AbortSignal): Promise<Schemas["OrderList"]> {
  let result;
  try {
    result = await api.GET("/v1/orders", { params: { query }, signal });
  } catch {
    throw new OrdersProblem(offlineProblem());
  }
  if (result.error !== undefined) {
    const body: unknown = result.error;
    throw new OrdersProblem(isProblem(body) ? body : { type: "about:blank", status: result.response.status });
  }
  return result.data;
}

/**
 * The traveler's trips still in flight, newest first: what `DELETE /v1/me` answers 409 for
 * (held, or a payment of it under way), as the API lists them (`?in_flight=true`, its own
 * definition: booking/rows.py `IN_FLIGHT`), every page read, only while `enabled`. A `pending`
 * one (the airline not answered yet) is never listed; the 409 names it, moments later it is
 * held or gone. Any `["orders"]` invalidation (a trip cancelled, paid) reads them again.
 */
export function useOrdersInFlight(subject: string, enabled = true) {
  return useQuery<Order[], OrdersProblem>({
    queryKey: orderKeys.inFlight(subject),
    enabled,
    retry: false,
    queryFn: async ({ signal }) => {
      const query: ListQuery = { limit: WHOLE, in_flight: true };
      const found: Order[] = [];
      let after: string | undefined;
      do {
        const page = await fetchPage(after ? { ...query, after } : query, signal);
        found.push(...page.data);
        after = page.meta.after ?? undefined;
      } while (after);
      return found;
    },
  });
}
