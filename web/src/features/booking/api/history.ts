import { useQuery } from "@tanstack/react-query";

import { api, type Order, type Schemas } from "../../../lib/api/client";
import { type ApiProblem, settle } from "../../../lib/api/settle";
import { bookingKeys } from "./orders";

export type OrderHistory = Schemas["OrderHistory"];

/** `GET /v1/orders/{id}/history`: every change of the order, oldest first. Asked again whenever
 * the order moves (its status, payment status or `updated_at`: the page follows an order whose
 * money is moving, so a refund recorded later shows without a reload), and with every
 * `["orders"]` invalidation (a change, a cancellation) and `bookingKeys.history` one (seats
 * changed on a paid trip, which leave the order's `updated_at` as it was). The steps shown stay until the new
 * answer replaces them. */
export function useOrderHistory(order: Pick<Order, "id" | "status" | "payment_status" | "updated_at">) {
  return useQuery<OrderHistory, ApiProblem>({
    queryKey: [...bookingKeys.history(order.id), order.status, order.payment_status, order.updated_at],
    retry: false,
    // The same trip's earlier answer, never another trip's.
    placeholderData: (previous, previousQuery) => (previousQuery?.queryKey[2] === order.id ? previous : undefined),
    queryFn: ({ signal }) =>
      settle(() => api.GET("/v1/orders/{order_id}/history", { params: { path: { order_id: order.id } }, signal })),
  });
}
