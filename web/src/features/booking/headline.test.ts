import { expect, it } from "vitest";

import type { Order } from "../../lib/api/client";
import { amountLine, headline } from "./headline";

it("words an ended trip as a sentence, not as the API's status value", () => {
  expect(headline({ status: "cancelled", payment_status: "refunded" }, false)).toBe("This trip is cancelled");
  expect(headline({ status: "failed", payment_status: "unpaid" }, false)).toBe("This booking did not go through");
  expect(headline({ status: "expired", payment_status: "unpaid" }, false)).toBe("The hold on this trip ran out");
});

it("keeps a status this app does not know yet readable", () => {
  const newer = { status: "on_request", payment_status: "unpaid" } as unknown as Parameters<typeof headline>[0];
  expect(headline(newer, false)).toBe("This trip is on request");
});

it("says nothing was charged for a trip that ended unpaid, not a bare total that reads as a charge", () => {
  const line = (status: string, payment_status: string) => amountLine({ status, payment_status } as Order, "$1,701.52");
  expect(line("cancelled", "unpaid")).toBe("Nothing was charged (the trip was $1,701.52).");
  expect(line("expired", "failed")).toBe("Nothing was charged (the trip was $1,701.52).");
  expect(line("cancelled", "refunded")).toBe("You paid $1,701.52.");
  expect(line("cancelled", "paid")).toBe("You paid $1,701.52.");
  expect(line("held", "unpaid")).toBe("Total $1,701.52.");
  expect(line("confirmed", "paid")).toBe("Total $1,701.52.");
});
