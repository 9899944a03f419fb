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
  failure_code: "card_declined",
};

it("tells a declined card in words, never showing the gateway's code as the message", () => {
  render(<ChangeRefusal problem={declined} amount="$40.00" />);
  const alert = screen.getByRole("alert");
  expect(alert.textContent).toContain("Your flight was not changed.");
  expect(screen.getByText(/^The card has too little money available, so the \$40\.00 was not charged\./)).toBeTruthy();
  expect(alert.textContent).not.toContain("original flights back"); // the API's words
  // The code is there for support, on its own line, and nowhere else.
  expect(alert.textContent?.match(/insufficient_funds/g)).toHaveLength(1);
  expect(screen.getByText(/Code for support/).textContent).toBe("Code for support: insufficient_funds");
});

it("says an airline's refusal in our words with the next step, not the API's sentence", () => {
  // Was: "The airline refused to change the flights: sold out." (our English, for people).
  const detail = "the airline refused to change the flights: sold out";
  render(<ChangeRefusal problem={{ ...declined, decline_code: undefined, failure_code: "airline_refused", detail }} />);
  const alert = screen.getByRole("alert");
  expect(alert.textContent).not.toMatch(/refused to change the flights/i);
  expect(alert.textContent).toContain("The airline did not accept it: the flight may have sold out, or its fare changed since it was offered.");
  expect(screen.getByText("Search again for current flights and prices.")).toBeTruthy();
});

it("sends the traveler to support when the airline kept the new flights", () => {
  const detail = "the card payment of 40.00 USD failed (do_not_honor); sold out: the airline's booking keeps the new flights, unpaid";
  render(<ChangeRefusal problem={{ ...declined, decline_code: "do_not_honor", failure_code: "airline_kept_new_flights", detail }} amount="$40.00" />);
  const alert = screen.getByRole("alert");
  expect(alert.textContent).toMatch(/^Your flight change could not be completed\./);
  expect(alert.textContent).not.toMatch(/keeps its original flights|Your flight was not changed/);
  expect(alert.textContent).toContain("Contact support about this trip");
});

it("says a 409 whose offer did not fail as the trip changed since the offer, the API's sentence for support", () => {
  const detail = "the order changed since this change offer: ask again";
  render(<ChangeRefusal problem={{ type: declined.type, status: 409, detail }} />);
  expect(screen.getByRole("alert").textContent).toContain("Your trip changed since these flights were offered");
  expect(screen.getByText(/Details for support/).textContent).toBe(`Details for support: ${detail}`);
});

it("tells another confirmation at work as no refusal", () => {
  render(<ChangeRefusal problem={{ type: declined.type, status: 409, in_progress: true, detail: "being confirmed; retry" }} />);
  expect(screen.queryByRole("alert")).toBeNull();
  expect(screen.getByRole("status").textContent).toMatch(/^This change is already being confirmed\./);
});
