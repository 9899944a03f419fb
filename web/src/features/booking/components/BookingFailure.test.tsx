// @vitest-environment jsdom
import { cleanup, render, screen } from "@testing-library/react";
import { MemoryRouter } from "react-router";
import { afterEach, expect, it } from "vitest";

import type { Problem } from "../../../lib/problems";
import { BookingFailure } from "./BookingFailure";

afterEach(cleanup);

const conflict = (extra: Record<string, unknown>): Problem => ({
  type: "https://skyfare.dev/problems/conflict",
  status: 409,
  ...extra,
});

const shown = (problem: Problem) =>
  render(
    <MemoryRouter>
      <form>
        <BookingFailure problem={problem} other={[]} onAccept={() => undefined} />
      </form>
    </MemoryRouter>,
  );

it("leads a sold-out offer back to the results, without a new price to review", () => {
  // booking/airline.py: "the offer no longer has enough seats for these passengers", no price.
  shown(conflict({ detail: "the offer no longer has enough seats for these passengers" }));
  const notice = screen.getByRole("alert");
  expect(notice.textContent).not.toMatch(/new price/);
  expect(screen.getByRole("link", { name: "Back to results" })).toBeTruthy();
  expect(screen.queryByRole("button", { name: /^Book at/ })).toBeNull();
});

it("offers a new price to accept when the airline re-priced", () => {
  shown(conflict({ total_amount: "612.40", total_currency: "USD" }));
  expect(screen.getByRole("alert").textContent).toMatch(/The airline changed this offer/);
  expect(screen.getByRole("button", { name: "Book at $612.40" })).toBeTruthy();
  expect(screen.getAllByRole("link", { name: "Back to results" })).toHaveLength(1);
});
