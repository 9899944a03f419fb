// @vitest-environment jsdom
import { cleanup, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";

import { FailureDetail } from "./FailureDetail";

afterEach(cleanup);

// The API's words stay as they are; the code comes in its own field.
const failed = (code: string) =>
  `the change was not made: the card payment of 40.00 USD failed (${code}); the airline put the original flights back`;

describe("FailureDetail", () => {
  it.each([
    ["insufficient_funds", "The card has too little money available, so the $40.00 was not charged. Try another card, or add funds and try again."],
    ["do_not_honor", "Your bank declined the card, so the $40.00 was not charged. Try another card, or ask your bank why."],
  ])("tells the %s decline in words with a next step, the code only for support", (code, words) => {
    const { container } = render(<FailureDetail detail={failed(code)} declineCode={code} amount="$40.00" />);
    const told = screen.getByText(words);
    expect(told.getAttribute("data-decline-code")).toBe(code);
    expect(screen.getByText("The airline put the original flights back.")).toBeTruthy();
    expect(screen.getByText(/Code for support:/).textContent).toBe(`Code for support: ${code}`);
    expect(container.textContent?.split(code)).toHaveLength(2); // the support line alone names it
  });

  it("reads the code from the field, never from the words", () => {
    render(<FailureDetail detail={failed("do_not_honor")} declineCode="expired_card" />);
    expect(screen.getByText("The card has expired, so nothing was charged. Try another card.")).toBeTruthy();
    expect(screen.getByText(/Code for support:/).textContent).toBe("Code for support: expired_card");
  });

  it("gives an unknown code generic words, keeping the code for support", () => {
    render(<FailureDetail detail={failed("velocity_limit")} declineCode="velocity_limit" amount="$40.00" />);
    const told = screen.getByText(/^The card payment did not go through, so the \$40\.00 was not charged\./);
    expect(told.textContent).toContain("contact support with the code below");
    expect(told.getAttribute("data-decline-code")).toBe("velocity_limit");
    expect(screen.getByText(/Code for support:/).textContent).toBe("Code for support: velocity_limit");
  });

  it("shows a failure that is no decline as the API's sentence, with no code line", () => {
    render(<FailureDetail detail="the airline refused: the flight is sold out" declineCode={null} />);
    expect(screen.getByText("The airline refused: the flight is sold out.")).toBeTruthy();
    expect(screen.queryByText(/Code for support/)).toBeNull();
  });
});
