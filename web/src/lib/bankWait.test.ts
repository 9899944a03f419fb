import { expect, it } from "vitest";

import { bankPage, bankWaiting, waitsForBank } from "./bankWait";
import { testOrder } from "./testOrder";

const BANK = "http://127.0.0.1:9100/payments/challenge/pi_1";
const action = (url: string) => ({ payment_next_action: { type: "redirect_to_url", url } });

it("goes to the bank's page only when it is a web address", () => {
  expect(bankPage("http://127.0.0.1:21081/payments/challenge/pi_1")).toBe("http://127.0.0.1:21081/payments/challenge/pi_1");
  expect(bankPage("https://bank.example/3ds?x=1")).toBe("https://bank.example/3ds?x=1");
  expect(bankPage(undefined)).toBeNull();
  expect(bankPage("javascript:alert(1)")).toBeNull();
  expect(bankPage("/trips/ord_1")).toBeNull();
});

it("finds the bank's page a held order's payment waits on in its payment_next_action", () => {
  const waiting = testOrder({ payment_status: "processing", ...action(BANK) });
  expect(bankWaiting(waiting)).toBe(BANK);
  expect(waitsForBank(waiting)).toBe(true);
  // A newer answer than the payment's own: the order's page wins over the one just paid with.
  expect(bankWaiting(waiting, "http://127.0.0.1:9100/payments/challenge/pi_0")).toBe(BANK);
});

it("says a payment the gateway is charging (no next action) does not wait for the bank", () => {
  const charging = testOrder({ payment_status: "processing", payment_next_action: null });
  expect(bankWaiting(charging)).toBeNull();
  expect(bankWaiting(charging, BANK)).toBeNull(); // the order shows the payment: its word stands
  expect(waitsForBank(charging)).toBe(false);
});

it("takes the page the payment's answer named while the order is still as read before paying", () => {
  expect(bankWaiting(testOrder(), BANK)).toBe(BANK);
  expect(bankWaiting(testOrder({ payment_status: "processing" }), BANK)).toBe(BANK);
  expect(bankWaiting(testOrder())).toBeNull();
  expect(waitsForBank(testOrder())).toBe(false);
});

it("has no bank's page for a trip paid, declined or ended", () => {
  expect(bankWaiting(testOrder({ status: "confirmed", payment_status: "paid" }), BANK)).toBeNull();
  expect(bankWaiting(testOrder({ payment_status: "failed" }), BANK)).toBeNull();
  expect(bankWaiting(testOrder({ status: "expired", payment_status: "processing", ...action(BANK) }))).toBeNull();
});

it("does not say a payment waits for the bank when its page could not be shown (not a web address)", () => {
  // The trip page shows no bank's page then ("Payment in progress…"): My trips and the payment
  // step say the same, not "confirm the payment with your bank".
  const unshowable = testOrder({ payment_status: "processing", ...action("javascript:alert(1)") });
  expect(bankWaiting(unshowable)).toBeNull();
  expect(waitsForBank(unshowable)).toBe(false);
});
