import { describe, expect, it } from "vitest";

import { changedSinceOffer, changeFailure, type FailureWords, unnamedFailure } from "./changeFailures";
import { FAILURES } from "./testChangeFailures";

const said = (words: FailureWords) => `${words.lead ?? ""} ${words.text} ${words.next}`;

describe("changeFailure", () => {
  it.each(FAILURES)("words %s by its code, with a next step, never in the API's sentence", (code, detail, declineCode) => {
    const words = changeFailure({ failure_code: code, decline_code: declineCode, detail }, "$40.00");
    expect(words).not.toBeNull();
    const all = said(words!);
    expect(all).not.toContain(detail);
    expect(all).not.toMatch(/_|slice|order's|Skyfare/); // no codes, none of our wording for ourselves
    expect(words!.next).toMatch(/\.$/);
    expect(words!.support?.text ?? null).toBe(declineCode);
  });

  it("names the amount a declined card was not charged, and what the trip keeps", () => {
    const words = changeFailure({ failure_code: "card_declined", decline_code: "insufficient_funds" }, "$40.00")!;
    expect(words.text).toBe("The card has too little money available, so the $40.00 was not charged. Your trip keeps its original flights.");
    expect(words.next).toBe("Try another card, or add funds and try again. To try again, search for the flight once more.");
    expect(words.support).toEqual({ label: "Code for support", text: "insufficient_funds" });
  });

  it("says a change left at the bank too long was canceled, not to pay now as an order would", () => {
    const words = changeFailure({ failure_code: "card_declined", decline_code: "canceled" }, "$40.00")!;
    expect(words.text).toBe(
      "Your bank’s confirmation did not come in time, so the change was canceled and the $40.00 was not charged. Your trip keeps its original flights.",
    );
    expect(words.next).toBe("To try again, search for the flight once more.");
  });

  it("sends the traveler to support, not to try again, when the airline kept the new flights", () => {
    const words = changeFailure({ failure_code: "airline_kept_new_flights", decline_code: null });
    expect(words?.lead).toBe("Your flight change could not be completed.");
    expect(words?.text).not.toMatch(/keeps its original flights|nothing was charged/);
    expect(words?.next).toMatch(/^Contact support about this trip/);
  });

  it("tells a declined card by its code even without a failure code", () => {
    expect(changeFailure({ decline_code: "expired_card" })?.text).toMatch(/^The card has expired, so nothing was charged\./);
  });

  it("leaves an unknown or missing code to the screen's general words, the API's sentence for support only", () => {
    expect(changeFailure({ failure_code: "meteor_strike", detail: "a meteor" })).toBeNull();
    const words = unnamedFailure({ detail: "a meteor" });
    expect(said(words)).not.toContain("meteor");
    expect(words.support).toEqual({ label: "Details for support", text: "a meteor" });
    expect(changedSinceOffer({ detail: "the order changed since this change offer: ask again" }).text).toBe(
      "Your trip changed since these flights were offered, so nothing was changed or charged.",
    );
  });
});
