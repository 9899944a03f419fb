// @vitest-environment jsdom
import { cleanup, render } from "@testing-library/react";
import { afterEach, expect, it } from "vitest";

import { testOrder } from "../lib/testOrder";
import { PayBy } from "./PayBy";

afterEach(cleanup);

const said = (...args: Parameters<typeof PayBy>) => render(<PayBy {...args[0]} />).container.textContent;

it("asks a trip on hold to be paid by its deadline", () => {
  expect(said({ order: testOrder(), children: " to keep these seats." })).toMatch(/^Pay by .* to keep these seats\.$/);
});

it("asks for no payment while one is being taken", () => {
  // "Payment in progress…" above "Pay by … to keep these seats." read as a second payment to make.
  expect(said({ order: testOrder({ payment_status: "processing" }) })).toBe("");
  // Just sent from this tab: the order says "unpaid" until the payment shows up on it.
  expect(said({ order: testOrder(), paying: true })).toBe("");
});

it("asks again once the payment just sent was declined", () => {
  expect(said({ order: testOrder({ payment_status: "failed" }), paying: true })).toMatch(/^Pay by /);
});
