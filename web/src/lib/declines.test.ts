import { describe, expect, it } from "vitest";

import { cardCode, decline, declineIn, declineSentence } from "./declines";

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

describe("declineIn", () => {
  it("finds the decline in a change's failure, with its amount and what was done after", () => {
    const found = declineIn(
      "the change was not made: the card payment of 40.00 USD failed (insufficient_funds); the airline put the original flights back",
    );
    expect(found).toMatchObject({ code: "insufficient_funds", amount: "$40.00", rest: "the airline put the original flights back" });
    expect(found && declineSentence(found)).toBe("The card has too little money available, so the $40.00 was not charged.");
  });

  it("finds the history's wording of a refused card", () => {
    expect(declineIn("card refused: do_not_honor")).toMatchObject({ code: "do_not_honor", amount: null, rest: "" });
    expect(declineIn("payment failed: generic_decline")?.message).toBe("Your bank declined the card.");
  });

  it("finds none where no card was declined", () => {
    expect(declineIn("the airline refused: the flight is sold out")).toBeNull();
    expect(declineIn("the order changed since this change offer: ask again")).toBeNull();
  });
});
