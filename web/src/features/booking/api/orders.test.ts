import { expect, it } from "vitest";

import type { Order } from "../../../lib/api/client";
import { stillMoving } from "./orders";

const order = (status: Order["status"], payment_status: Order["payment_status"]) => ({ status, payment_status }) as Order;

it("follows a payment until the order shows its outcome", () => {
  expect(stillMoving(order("held", "processing"), false)).toBe(true);
  expect(stillMoving(order("pending", "unpaid"), false)).toBe(true);
  // Just paid, and the order does not show it yet: keep looking.
  expect(stillMoving(order("held", "unpaid"), true)).toBe(true);
  expect(stillMoving(order("held", "unpaid"), false)).toBe(false);
  expect(stillMoving(order("confirmed", "paid"), true)).toBe(false);
  expect(stillMoving(order("held", "failed"), true)).toBe(false);
  // Paid, and the airline is still issuing the tickets: the order is not confirmed yet.
  expect(stillMoving(order("held", "paid"), false)).toBe(true);
  expect(stillMoving(order("cancelled", "refunded"), true)).toBe(false);
});

it("follows an ended order until its refund is through", () => {
  expect(stillMoving(order("cancelled", "paid"), false)).toBe(true); // refund owed
  expect(stillMoving(order("expired", "paid"), false)).toBe(true);
  expect(stillMoving(order("cancelled", "unpaid"), false)).toBe(false);
  expect(stillMoving(order("expired", "unpaid"), true)).toBe(false);
  expect(stillMoving(order("failed", "refunded"), false)).toBe(false);
});
