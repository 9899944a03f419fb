// @vitest-environment jsdom
import { cleanup, render, screen } from "@testing-library/react";
import { afterEach, expect, it } from "vitest";

import { ChangeRefusal } from "./ChangeRefusal";

afterEach(cleanup);

const declined = {
  type: "https://skyfare.dev/problems/conflict",
  title: "Conflict",
  status: 409,
  detail: "the change was not made: the card payment of 40.00 USD failed (insufficient_funds); the airline put the original flights back",
  change_status: "failed",
  decline_code: "insufficient_funds",
};

it("tells a declined card in words, never showing the gateway's code as the message", () => {
  render(<ChangeRefusal problem={declined} amount="$40.00" />);
  const alert = screen.getByRole("alert");
  expect(alert.textContent).toContain("Your flight was not changed.");
  expect(screen.getByText(/^The card has too little money available, so the \$40\.00 was not charged\./)).toBeTruthy();
  // The code is there for support, on its own line, and nowhere else.
  expect(alert.textContent?.match(/insufficient_funds/g)).toHaveLength(1);
  expect(screen.getByText(/Code for support/).textContent).toBe("Code for support: insufficient_funds");
  expect(alert.querySelector("[data-decline-code]")?.getAttribute("data-decline-code")).toBe("insufficient_funds");
});

it("says a refusal with no decline_code in the API's words, with no code line", () => {
  render(<ChangeRefusal problem={{ ...declined, decline_code: undefined, detail: "the airline refused: the flight is sold out" }} />);
  expect(screen.getByText("The airline refused: the flight is sold out.")).toBeTruthy();
  expect(screen.queryByText(/Code for support/)).toBeNull();
});
