import { useQuery } from "@tanstack/react-query";
import { useState } from "react";

import { api, type Schemas } from "../../../lib/api/client";
import { newFollowMemory, nextPoll } from "../../../lib/follow";
import { isProblem, offlineProblem, type Problem } from "../../../lib/problems";

export type SeatMapsResponse = Schemas["SeatMapsResponse"];
export type OrderSeats = Schemas["OrderSeats"];
export type SeatServiceRequest = Schemas["booking.model.SeatService"];
export type SeatCharge = Schemas["SeatChargeView"];

/** A seat charge the card gateway (or a refund) has not settled yet. */
export const charging = (charge: SeatCharge | null | undefined) =>
  charge?.status === "processing" || charge?.status === "refunding";

export const seatKeys = {
  maps: (orderId: string) => ["seats", "maps", orderId] as const,
  order: (orderId: string) => ["seats", "order", orderId] as const,
};

export class SeatsProblem extends Error {
  constructor(readonly problem: Problem) {
    super(problem.type);
  }
}

const problemOf = (error: unknown, status: number) =>
  new SeatsProblem(isProblem(error) ? error : { type: "about:blank", status });

// `?order_id=` (the order's own seats shown as its own) is newer than `?offer_id=`: asked
// first, and once an API answers that it does not know it (422), the offer's map is used.
let orderMapsKnown = true;

async function fetchMaps(query: { offer_id: string } | { order_id: string }, signal: AbortSignal) {
  try {
    // The typed client knows `offer_id` only until the types are regenerated with `order_id`.
    return await api.GET("/v1/seat_maps", { params: { query: query as { offer_id: string } }, signal });
  } catch {
    throw new SeatsProblem(offlineProblem());
  }
}

/** The seat maps of an order's flights, one per segment (an airline without seat maps: none). */
export function useSeatMaps(order: { id: string; offer_id: string }) {
  return useQuery<SeatMapsResponse, SeatsProblem>({
    queryKey: seatKeys.maps(order.id),
    retry: false,
    staleTime: 10_000,
    queryFn: async ({ signal }) => {
      if (orderMapsKnown) {
        const byOrder = await fetchMaps({ order_id: order.id }, signal);
        if (byOrder.error === undefined) return byOrder.data;
        if (byOrder.response.status !== 422) throw problemOf(byOrder.error, byOrder.response.status);
        orderMapsKnown = false;
      }
      const byOffer = await fetchMaps({ offer_id: order.offer_id }, signal);
      if (byOffer.error !== undefined) throw problemOf(byOffer.error, byOffer.response.status);
      return byOffer.data;
    },
  });
}

/** The seat each passenger of the order holds on each segment, with its price; followed while
 * a seat charge is settling (the seats change once the card is charged), backing off
 * (lib/follow.ts). */
export function useOrderSeats(orderId: string) {
  const [memory] = useState(newFollowMemory);
  return useQuery<OrderSeats, SeatsProblem>({
    queryKey: seatKeys.order(orderId),
    retry: false,
    refetchInterval: (query) => nextPoll(memory, query.state, (seats) => charging(seats.seat_charge)),
    refetchIntervalInBackground: false,
    queryFn: async ({ signal }) => {
      let result;
      try {
        result = await api.GET("/v1/orders/{order_id}/seats", { params: { path: { order_id: orderId } }, signal });
      } catch {
        throw new SeatsProblem(offlineProblem());
      }
      if (result.error !== undefined) throw problemOf(result.error, result.response.status);
      return result.data;
    },
  });
}

/** Chooses seats: on a held, unpaid order each seat's price is added to the order's total; on a
 * paid one a dearer change is charged to `cardToken` (202, `seat_charge` processing). */
export async function chooseSeats(orderId: string, services: SeatServiceRequest[], cardToken?: string): Promise<OrderSeats> {
  let result;
  try {
    result = await api.POST("/v1/orders/{order_id}/seats", {
      params: { path: { order_id: orderId } },
      body: cardToken ? { services, payment: { card_token: cardToken } } : { services },
    });
  } catch {
    throw new SeatsProblem(offlineProblem());
  }
  if (result.error !== undefined) throw problemOf(result.error, result.response.status);
  return result.data;
}
