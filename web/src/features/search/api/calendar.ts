import { useQuery } from "@tanstack/react-query";

import { api, type CabinClass, type Currency, type Schemas } from "../../../lib/api/client";
import { settle } from "../../../lib/api/settle";

export type FareCalendar = Schemas["CalendarResponse"];

export const calendarKeys = {
  all: ["calendar"] as const,
  month: (origin: string, destination: string, month: string, cabin: CabinClass, adults: number, currency: Currency) =>
    [...calendarKeys.all, origin, destination, month, cabin, adults, currency] as const,
};

const CODE = /^[A-Z]{3}$/;

/** `GET /v1/calendar`: the cheapest cached fare of each day of a month (no airline is asked), of
 * searches priced in `currency` (the form's "Prices in": the prices a search would then show). */
export function useFareCalendar(
  origin: string,
  destination: string,
  month: string,
  cabin: CabinClass,
  adults: number,
  currency: Currency,
  enabled: boolean,
) {
  return useQuery({
    queryKey: calendarKeys.month(origin, destination, month, cabin, adults, currency),
    enabled: enabled && CODE.test(origin) && CODE.test(destination) && origin !== destination,
    staleTime: 60_000,
    retry: false,
    queryFn: async ({ signal }) => {
      return settle(() =>
        api.GET("/v1/calendar", {
          params: { query: { origin, destination, month, cabin_class: cabin, adults, currency } },
          signal,
        }),
      );
    },
  });
}
