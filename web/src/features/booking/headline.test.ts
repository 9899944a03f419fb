import { expect, it } from "vitest";

import { headline } from "./headline";

it("words an ended trip as a sentence, not as the API's status value", () => {
  expect(headline({ status: "cancelled", payment_status: "refunded" }, false)).toBe("This trip is cancelled");
  expect(headline({ status: "failed", payment_status: "unpaid" }, false)).toBe("This booking did not go through");
  expect(headline({ status: "expired", payment_status: "unpaid" }, false)).toBe("The hold on this trip ran out");
});

it("keeps a status this app does not know yet readable", () => {
  const newer = { status: "on_request", payment_status: "unpaid" } as unknown as Parameters<typeof headline>[0];
  expect(headline(newer, false)).toBe("This trip is on request");
});

it("heads a payment left at the bank's page as waiting for the bank, until it is settled", () => {
  const atTheBank = { status: "held", payment_status: "processing" } as const;
  expect(headline(atTheBank, true)).toBe("Payment in progress…");
  expect(headline(atTheBank, true, true)).toBe("Confirm the payment with your bank");
  expect(headline({ status: "held", payment_status: "failed" }, true, true)).toBe("The payment was declined");
  expect(headline({ status: "confirmed", payment_status: "paid" }, true, true)).toBe("Your trip is booked");
});
