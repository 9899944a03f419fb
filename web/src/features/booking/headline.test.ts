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

it.each([
  ["cancelled", "unpaid", "Nothing was charged (the trip was $1,701.52)."],
  ["expired", "failed", "Nothing was charged (the trip was $1,701.52)."],
  ["cancelled", "refunded", "You paid $1,701.52."],
  ["cancelled", "paid", "You paid $1,701.52."],
  ["held", "unpaid", "Total $1,701.52."],
  ["confirmed", "paid", "Total $1,701.52."],
])("words the money of a %s, %s trip without reading as a charge it was not", (status, payment_status, words) => {
  // A cancelled hold said only "Total $1,701.52.", which read as a charge.
  expect(amountLine({ status, payment_status } as Order, "$1,701.52")).toBe(words);
});
