import { useQuery } from "@tanstack/react-query";

import { api, type Order, type Schemas } from "../../../lib/api/client";
import { type ApiProblem, settle } from "../../../lib/api/settle";

export type OrderHistory = Schemas["OrderHistory"];

/** `GET /v1/orders/{id}/history`: every change of the order, oldest first. Asked again whenever
 * the order's status or payment status moves (the page follows the order), and with every
 * `["orders"]` invalidation (a change, a cancellation). */
export function useOrderHistory(order: Pick<Order, "id" | "status" | "payment_status">) {
  return useQuery<OrderHistory, ApiProblem>({
    queryKey: ["orders", "history", order.id, order.status, order.payment_status],
    retry: false,
    queryFn: ({ signal }) =>
      settle(() => api.GET("/v1/orders/{order_id}/history", { params: { path: { order_id: order.id } }, signal })),
  });
}
