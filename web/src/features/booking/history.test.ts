import { describe, expect, it } from "vitest";

import { type HistoryItem, stepOf } from "./history";

const item = (change: Partial<HistoryItem>): HistoryItem => ({
  at: "2026-12-04T10:00:00Z",
  from_status: "held",
  to_status: "held",
  from_payment_status: "unpaid",
  to_payment_status: "unpaid",
  reason: "",
  actor: { type: "system", name: "booking" },
  ...change,
});

describe("stepOf", () => {
  it("names a change of the order's status before one of its payment", () => {
    const step = stepOf(item({ from_status: "held", to_status: "confirmed", to_payment_status: "paid", reason: "paid and ticketed" }));
    expect(step).toEqual({ title: "Booked and ticketed", reason: "Paid and ticketed", by: "Skyfare", tone: "done" });
  });

  it("names the payment's change when the status stays", () => {
    const step = stepOf(item({ to_payment_status: "failed", reason: "card refused: gateway_refused", actor: { type: "system", name: "webhook" } }));
    expect(step).toMatchObject({ title: "Payment declined", reason: "Card refused: gateway refused", tone: "problem" });
  });

  it("makes the reason the step when neither status moved", () => {
    const owed = stepOf(item({ from_status: "cancelled", to_status: "cancelled", from_payment_status: "paid", to_payment_status: "paid",
      reason: "refund owed: 89.28 USD to pay_9af57676a918016eea1fb084" }));
    expect(owed).toMatchObject({ title: "Refund owed: 89.28 USD to your card", reason: null, tone: "progress" });
  });

  it("says who made the change without naming a support agent", () => {
    expect(stepOf(item({ to_status: "cancelled", actor: { type: "traveler" } })).by).toBe("You");
    expect(stepOf(item({ to_status: "cancelled", actor: { type: "support" } })).by).toBe("Skyfare support");
  });

  it("leaves out a quote's id and a reason that only repeats the title", () => {
    const cancelled = stepOf(item({ to_status: "cancelled", reason: "cancelled by traveler as quoted (ocr_0123456789abcdef01234567)" }));
    expect(cancelled.reason).toBe("Cancelled by you as quoted");
    expect(stepOf(item({ to_payment_status: "processing", reason: "payment started" })).reason).toBeNull();
    const refunded = stepOf(item({ to_status: "cancelled", from_status: "cancelled", to_payment_status: "refunded",
      reason: "the order was cancelled: refunded 80.00 USD to och_0123456789abcdef01234567, 9.28 USD to pay_9af57676a918016eea1fb084" }));
    expect(refunded).toMatchObject({ title: "Refunded", reason: "The order was cancelled: refunded 80.00 USD to your card, 9.28 USD to your card" });
  });

  it("starts the trip with its creation", () => {
    const created = stepOf(item({ from_status: null, to_status: "pending", from_payment_status: null, reason: "created" }));
    expect(created).toMatchObject({ title: "Booking started", reason: null });
  });
});
