import { describe, expect, it } from "vitest";

import { cardCode, decline, declineSentence } from "./declines";

describe("decline", () => {
  it("tells each known code as a sentence and a next step", () => {
    expect(decline("insufficient_funds")).toEqual({
      code: "insufficient_funds",
      phrase: "the card has too little money available",
      message: "The card has too little money available.",
      next: "Try another card, or add funds and try again.",
    });
    expect(decline("do_not_honor").message).toBe("Your bank declined the card.");
    expect(decline("expired_card").message).toBe("The card has expired.");
  });

  it("tells a lost or stolen card as a plain decline", () => {
    expect(decline("stolen_card").message).toBe("Your bank declined the card.");
    expect(decline("lost_card").message).toBe("Your bank declined the card.");
  });

  it("gives an unknown code generic words that never show the code, keeping it for support", () => {
    const unknown = decline("velocity_limit");
    expect(unknown.code).toBe("velocity_limit");
    expect(unknown.message).toBe("The card payment did not go through.");
    expect(`${unknown.message} ${unknown.next}`).not.toMatch(/velocity/);
  });

  it("keeps an unknown code readable inside a running sentence (the trip's history)", () => {
    expect(cardCode("generic_decline")).toBe("your bank declined the card");
    expect(cardCode("velocity_limit")).toBe('the card payment service said "velocity limit"');
  });
});

describe("a decline without a code", () => {
  it("gets generic words and nothing to quote to support", () => {
    expect(decline(null)).toEqual({ code: "", phrase: "the card payment did not go through", message: "The card payment did not go through.", next: "Try another card." });
    expect(decline(undefined).code).toBe("");
  });
});

describe("declineSentence", () => {
  it("names the amount that was not charged when the screen knows it", () => {
    expect(declineSentence(decline("insufficient_funds"), "$40.00")).toBe("The card has too little money available, so the $40.00 was not charged.");
    expect(declineSentence(decline("do_not_honor"))).toBe("Your bank declined the card, so nothing was charged.");
  });
});
