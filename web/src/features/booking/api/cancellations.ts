import { api, type Schemas } from "../../../lib/api/client";
import { settle } from "../../../lib/api/settle";
import { BookingProblem } from "./orders";

export type Cancellation = Schemas["CancellationView"];

const fail = (problem: BookingProblem["problem"]) => new BookingProblem(problem);

/** What cancelling the order now gives back and keeps, valid until `expires_at`; changes nothing. */
export function quoteCancellation(orderId: string): Promise<Cancellation> {
  return settle(() => api.POST("/v1/orders/{order_id}/cancellations", { params: { path: { order_id: orderId } } }), fail);
}

/** Cancels exactly as quoted (410: the quote expired; 409: the order changed since). */
export function confirmCancellation(orderId: string, quoteId: string): Promise<Cancellation> {
  return settle(
    () =>
      api.POST("/v1/orders/{order_id}/cancellations/{cancellation_id}/confirm", {
        params: { path: { order_id: orderId, cancellation_id: quoteId } },
      }),
    fail,
  );
}
