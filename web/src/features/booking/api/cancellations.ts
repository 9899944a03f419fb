import { api, type Schemas } from "../../../lib/api/client";
import { isProblem, offlineProblem } from "../../../lib/problems";
import { BookingProblem } from "./orders";

export type Cancellation = Schemas["CancellationView"];

async function settle<T>(call: () => Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  let result;
  try {
    result = await call();
  } catch {
    throw new BookingProblem(offlineProblem());
  }
  if (result.error !== undefined || result.data === undefined) {
    const body = result.error;
    throw new BookingProblem(isProblem(body) ? body : { type: "about:blank", status: result.response.status });
  }
  return result.data;
}

/** What cancelling the order now gives back and keeps, valid until `expires_at`; changes nothing. */
export function quoteCancellation(orderId: string): Promise<Cancellation> {
  return settle(() => api.POST("/v1/orders/{order_id}/cancellations", { params: { path: { order_id: orderId } } }));
}

/** Cancels exactly as quoted (410: the quote expired; 409: the order changed since). */
export function confirmCancellation(orderId: string, quoteId: string): Promise<Cancellation> {
  return settle(() =>
    api.POST("/v1/orders/{order_id}/cancellations/{cancellation_id}/confirm", {
      params: { path: { order_id: orderId, cancellation_id: quoteId } },
    }),
  );
}
