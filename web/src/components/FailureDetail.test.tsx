// @vitest-environment jsdom
import { cleanup, render, screen } from "@testing-library/react";
import { afterEach, expect, it } from "vitest";

import { changeFailure, unnamedFailure } from "../lib/changeFailures";
import { FailureDetail } from "./FailureDetail";

afterEach(cleanup);

it("says the failure under the screen's lead, its next step apart, the code only for support", () => {
  const words = changeFailure({ failure_code: "card_declined", decline_code: "do_not_honor" }, "$40.00")!;
  const { container } = render(<FailureDetail lead="Your flight was not changed." words={words} />);
  expect(container.querySelector("strong")?.textContent).toBe("Your flight was not changed.");
  expect(screen.getByText(/^Your bank declined the card, so the \$40\.00 was not charged\./)).toBeTruthy();
  expect(screen.getByText(/^Try another card, or ask your bank why\./)).toBeTruthy();
  expect(screen.getByText(/Code for support:/).textContent).toBe("Code for support: do_not_honor");
  expect(container.textContent?.split("do_not_honor")).toHaveLength(2); // the support line alone names it
});

it("lets a failure replace a lead that would mislead", () => {
  const words = changeFailure({ failure_code: "airline_kept_new_flights" })!;
  const { container } = render(<FailureDetail lead="Your flight was not changed." words={words} />);
  expect(container.querySelector("strong")?.textContent).toBe("Your flight change could not be completed.");
});

it("keeps the API's sentence as a support detail only, when no code says why", () => {
  render(<FailureDetail lead="Your last flight change was not made." words={unnamedFailure({ detail: "the airline refused: sold out" })} />);
  expect(screen.getByText(/Details for support:/).textContent).toBe("Details for support: the airline refused: sold out");
  expect(screen.queryByText(/^The airline refused/)).toBeNull();
});
