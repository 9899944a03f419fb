import { expect, it } from "vitest";

import type { Order } from "./api/client";
import { amountLine } from "./orderMoney";

it.each([
  ["cancelled", "unpaid", "Nothing was charged (the trip was $1,701.52)."],
  ["expired", "failed", "Nothing was charged (the trip was $1,701.52)."],
  ["cancelled", "refunded", "You paid $1,701.52."],
  ["cancelled", "paid", "You paid $1,701.52."],
  ["held", "unpaid", "Total $1,701.52."],
  ["confirmed", "paid", "Total $1,701.52."],
])("words the money of a %s, %s trip without reading as a charge it was not", (status, payment_status, words) => {
  // A cancelled hold said only "Total $1,701.52.", which read as a charge.
  expect(amountLine({ status, payment_status, total_amount: "1701.52", total_currency: "USD" } as Order)).toBe(words);
});

// The walkthrough's trip: 1,973.60 paid at booking, 45.00 of seats bought later, 152.40 for a
// dearer flight; `total_amount` is the fare alone.
const charge = (id: string, type: "booking" | "seats" | "flight_change", amount: string, refunded = "0.00", pending = "0.00") => ({
  id,
  type,
  amount,
  refunded_amount: refunded,
  refund_pending_amount: pending,
  created_at: "2027-01-04T14:05:00Z",
});
const trip = (status: string, payment_status: string, charges: ReturnType<typeof charge>[]) => {
  const sum = (pick: (c: ReturnType<typeof charge>) => string) => charges.reduce((total, c) => total + Number(pick(c)), 0).toFixed(2);
  return {
    status,
    payment_status,
    total_amount: "1973.60",
    total_currency: "USD",
    money: {
      currency: "USD",
      paid_amount: sum((c) => c.amount),
      refunded_amount: sum((c) => c.refunded_amount),
      refund_pending_amount: sum((c) => c.refund_pending_amount),
      charges,
    },
  } as Order;
};

it("totals a paid trip from every charge, seats bought after booking included", () => {
  // It said "Total $1,973.60." after 45.00 of seats were bought.
  const seated = trip("confirmed", "paid", [charge("pay_1", "booking", "1973.60"), charge("sch_1", "seats", "45.00")]);
  expect(amountLine(seated)).toBe("Total $2,018.60.");
});

it("says all a cancelled trip was paid, what comes back and what the fare keeps", () => {
  // It said "You paid $2,126.00." when 2,171.00 had been paid.
  const back = [
    ["pay_1", "booking", "1973.60", "1702.60"],
    ["sch_1", "seats", "45.00", "45.00"],
    ["och_1", "flight_change", "152.40", "152.40"],
  ] as const;
  const refunded = back.map(([id, type, amount, given]) => charge(id, type, amount, given));
  const owed = back.map(([id, type, amount, given]) => charge(id, type, amount, "0.00", given));
  const words = "You paid $2,171.00: $1,900.00 back to your card, $271.00 kept under the fare's conditions.";
  expect(amountLine(trip("cancelled", "refunded", refunded))).toBe(words);
  expect(amountLine(trip("cancelled", "paid", owed))).toBe(words); // on its way
  const whole = [charge("pay_1", "booking", "1973.60", "1973.60"), charge("sch_1", "seats", "45.00", "45.00")];
  expect(amountLine(trip("cancelled", "refunded", whole))).toBe("You paid $2,018.60: $2,018.60 back to your card.");
});

it("totals a trip not paid yet by its fare, not by its charges", () => {
  expect(amountLine(trip("held", "unpaid", []))).toBe("Total $1,973.60.");
  expect(amountLine(trip("cancelled", "unpaid", []))).toBe("Nothing was charged (the trip was $1,973.60).");
});
