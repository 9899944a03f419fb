import type { Order } from "./api/client";

/** For tests: Ada's held, unpaid trip of one total and no flights, as `changes` say otherwise. */
export function testOrder(changes: Record<string, unknown> = {}): Order {
  return {
    id: "ord_1",
    booking_reference: "K7Q2MZ",
    status: "held",
    payment_status: "unpaid",
    payment_required_by: "2027-01-05T14:05:00Z",
    total_amount: "612.40",
    total_currency: "USD",
    slices: [],
    passengers: [],
    created_at: "2027-01-04T14:05:00Z",
    ...changes,
  } as unknown as Order;
}
