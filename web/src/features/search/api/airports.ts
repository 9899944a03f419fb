import { useQuery } from "@tanstack/react-query";

import { api } from "../../../lib/api/client";
import { settle } from "../../../lib/api/settle";

export const airportKeys = {
  all: ["airports"] as const,
  matching: (q: string) => [...airportKeys.all, q.toLowerCase()] as const,
};

/** Type-ahead over `GET /v1/airports` (from 2 characters; answers kept for the session). */
export function useAirports(q: string) {
  const query = q.trim();
  return useQuery({
    queryKey: airportKeys.matching(query),
    enabled: query.length >= 2,
    staleTime: Number.POSITIVE_INFINITY,
    queryFn: async ({ signal }) => {
      const data = await settle(() =>
        api.GET("/v1/airports", { params: { query: { q: query, limit: 8 } }, signal }),
      );
      return data.airports;
    },
  });
}
