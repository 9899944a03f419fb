import { useQuery } from "@tanstack/react-query";
import { useState } from "react";

import { api, type Order, type Schemas } from "../../../lib/api/client";
import { bankPage } from "../../../lib/bankWait";
import { newFollowMemory, nextPoll } from "../../../lib/follow";
import { isProblem, offlineProblem, type Problem } from "../../../lib/problems";

export const bookingKeys = {
  order: (id: string) => ["orders", "detail", id] as const,
  /** Every answer of the trip's history (each keyed further by where the order stood). */
  history: (id: string) => ["orders", "history", id] as const,
};

export class BookingProblem extends Error {
  constructor(readonly problem: Problem) {
    super(problem.type);
  }
}

function problemOf(error: unknown, status: number): BookingProblem {
  return new BookingProblem(isProblem(error) ? error : { type: "about:blank", status });
}

/** Holds the offer for these passengers (one Idempotency-Key per attempt). */
export async function holdOffer(
  offerId: string,
  passengers: Schemas["CreateOrderRequest"]["passengers"],
): Promise<Order> {
  let result;
  try {
    result = await api.POST("/v1/orders", {
      body: { offer_id: offerId, type: "hold", passengers },
      params: { header: { "Idempotency-Key": crypto.randomUUID() } },
    });
  } catch {
    throw new BookingProblem(offlineProblem());
  }
  if (result.error !== undefined) throw problemOf(result.error, result.response.status);
  return result.data;
}

/** Pays a held order with a gateway card token; the outcome arrives on the order later. The
 * bank's page the traveler must answer first when the card's bank asks them to confirm (3-D
 * Secure: `next_action`; the trip page shows it in a dialog: BankCheck), else null. */
export async function payOrder(orderId: string, cardToken: string): Promise<string | null> {
  let result;
  try {
    result = await api.POST("/v1/orders/{order_id}/payments", {
      params: { path: { order_id: orderId }, header: { "Idempotency-Key": crypto.randomUUID() } },
      body: { card_token: cardToken },
    });
  } catch {
    throw new BookingProblem(offlineProblem());
  }
  if (result.error !== undefined) throw problemOf(result.error, result.response.status);
  return bankPage(result.data.next_action?.url);
}

/** Whether money or the booking is still moving, so the page keeps looking: the payment is
 * processing, the order pending, the order paid but not yet ticketed (still `held`), a payment
 * was just made and not even its `processing` has shown yet, or the order ended (cancelled,
 * expired, failed) while still `paid`: its refund is owed and not through yet. */
export function stillMoving(order: Order, paying: boolean): boolean {
  if (order.payment_status === "processing" || order.status === "pending") return true;
  if (ENDED.has(order.status)) return order.payment_status === "paid";
  if (order.status !== "held") return false;
  return order.payment_status === "paid" || (paying && order.payment_status === "unpaid");
}

const ENDED = new Set<Order["status"]>(["cancelled", "expired", "failed"]);

/** The order, followed while it is still moving (`stillMoving`), backing off (lib/follow.ts). */
export function useOrder(id: string, paying = false) {
  const [memory] = useState(newFollowMemory);
  return useQuery<Order, BookingProblem>({
    queryKey: bookingKeys.order(id),
    retry: false,
    refetchInterval: (query) => nextPoll(memory, query.state, (order) => stillMoving(order, paying)),
    refetchIntervalInBackground: false, // a hidden tab does not poll; showing it again refreshes
    queryFn: async ({ signal }) => {
      let result;
      try {
        result = await api.GET("/v1/orders/{order_id}", { params: { path: { order_id: id } }, signal });
      } catch {
        throw new BookingProblem(offlineProblem());
      }
      if (result.error !== undefined) throw problemOf(result.error, result.response.status);
      return result.data;
    },
  });
}

/** Cancels the order (the airline releases the seats; a paid order is refunded). */
export async function cancelOrder(orderId: string): Promise<Order> {
  let result;
  try {
    result = await api.POST("/v1/orders/{order_id}/cancel", { params: { path: { order_id: orderId } } });
  } catch {
    throw new BookingProblem(offlineProblem());
  }
  if (result.error !== undefined) throw problemOf(result.error, result.response.status);
  return result.data;
}
