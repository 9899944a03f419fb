import { describe, expect, it } from "vitest";

import { changeFailure, unnamedFailure } from "../../lib/changeFailures";
import { FAILURES } from "../../lib/testChangeFailures";
import { type HistoryItem, stepOf } from "./history";

const failedStep = (change: Partial<HistoryItem>): HistoryItem => ({
  at: "2026-12-04T10:00:00Z",
  from_status: "confirmed",
  to_status: "confirmed",
  from_payment_status: "paid",
  to_payment_status: "paid",
  actor: { type: "traveler" },
  code: "change_failed",
  decline_code: null,
  reason: "",
  ...change,
});

describe("a failed flight change in the trip's history", () => {
  it.each(FAILURES)("words %s as the change flow does, never in the API's note", (code, note, declineCode) => {
    const step = stepOf(failedStep({ decline_code: declineCode, reason: `change och_0123456789abcdef01234567 failed: ${note}`, details: { note, failure_code: code } }));
    const flow = changeFailure({ failure_code: code, decline_code: declineCode })!;
    expect(step).toMatchObject({ title: "Flight change not made", tone: "problem", reason: flow.text, support: flow.support });
    expect(step.reason).not.toContain(note);
    expect(step.reason).not.toMatch(/_|order's|Skyfare/);
  });

  it("tells a declined card by its code, the code kept for support", () => {
    const note = "the card payment of 40.00 USD failed (insufficient_funds); the airline put the original flights back";
    const step = stepOf(failedStep({ decline_code: "insufficient_funds", details: { note, failure_code: "card_declined" } }));
    expect(step.reason).toBe("The card has too little money available, so nothing was charged. Your trip keeps its original flights.");
    expect(step.support).toEqual({ label: "Code for support", text: "insufficient_funds" });
  });

  it("gives a step the API could name no code for the general words, its note for support only", () => {
    const note = "the airline refused: sold out";
    const step = stepOf(failedStep({ reason: `change och_1 failed: ${note}`, details: { note } }));
    expect(step).toMatchObject({ title: "Flight change not made", reason: unnamedFailure({}).text, support: { label: "Details for support", text: note } });
    // One written before details were stored, that the API could not read either.
    const bare = stepOf(failedStep({ reason: "change och_1 failed: sold out", details: null }));
    expect(bare).toMatchObject({ title: "Flight change not made", reason: unnamedFailure({}).text, support: null });
  });
});
