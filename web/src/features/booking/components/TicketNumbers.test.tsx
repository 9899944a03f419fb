// @vitest-environment jsdom
import { cleanup, render, screen } from "@testing-library/react";
import { afterEach, expect, it } from "vitest";

import { TicketNumbers } from "./TicketNumbers";

afterEach(cleanup);

const TICKETS = ["125-2300000009", "125-2300000010"];

it("lists a confirmed trip's tickets as its tickets", () => {
  const { container } = render(<TicketNumbers order={{ status: "confirmed", ticket_numbers: TICKETS }} />);
  expect(container.textContent).toBe("Tickets: 125-2300000009, 125-2300000010");
});

it("lists a cancelled trip's tickets as cancelled, not as tickets to fly on", () => {
  // The trip page said "Tickets: 125-…" after the cancellation, as if they were still good.
  const { container } = render(<TicketNumbers order={{ status: "cancelled", ticket_numbers: TICKETS }} />);
  expect(screen.getByText(/^Cancelled tickets: 125-2300000009, 125-2300000010\./)).toBeTruthy();
  expect(container.textContent).toContain("They can no longer be used to fly");
  expect(container.textContent).not.toMatch(/^Tickets:/);
});

it("shows nothing before the trip is ticketed", () => {
  const { container } = render(<TicketNumbers order={{ status: "held", ticket_numbers: [] }} />);
  expect(container.textContent).toBe("");
});
