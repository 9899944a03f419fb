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
