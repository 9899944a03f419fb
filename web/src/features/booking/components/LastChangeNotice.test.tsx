// @vitest-environment jsdom
import { cleanup, render, screen } from "@testing-library/react";
import { afterEach, expect, it } from "vitest";

import type { Schemas } from "../../../lib/api/client";
import { LastChangeNotice } from "./LastChangeNotice";

afterEach(cleanup);

it("tells a change undone by a declined card in words, the code kept for support", () => {
  render(
    <LastChangeNotice
      change={{
        id: "och_0123456789abcdef01234567",
        status: "failed",
        detail: "the card payment of 40.00 USD failed (do_not_honor); the airline put the original flights back",
        at: "2026-12-04T19:00:00Z",
        decline_code: "do_not_honor",
        failure_code: "card_declined",
      }}
      flight={null}
    />,
  );
  const notice = screen.getByRole("status");
  expect(notice.textContent).toContain("Your last flight change was not made.");
  expect(notice.textContent).toContain("Your bank declined the card, so nothing was charged. Your trip keeps its original flights.");
  expect(notice.textContent).not.toContain("put the original flights back"); // the API's words
  expect(notice.textContent?.match(/do_not_honor/g)).toHaveLength(1);
  expect(screen.getByText(/Code for support/).textContent).toBe("Code for support: do_not_honor");
});

const FAILED: [Schemas["LastChange"]["failure_code"], string, RegExp][] = [
  ["order_moved", "the order changed while the change was confirmed; nothing was changed", /cancelled, refunded or changed elsewhere/],
  ["airline_refused", "the airline refused to change the flights: sold out", /The airline did not accept it/],
  ["card_not_charged", "the card payment of 40.00 USD was never made; the airline put the original flights back", /your card was not charged/],
];

it.each(FAILED)("says a change failed as %s in our words, never the API's", (code, detail, words) => {
  render(<LastChangeNotice change={{ id: "och_1", status: "failed", detail, at: "2026-12-04T19:00:00Z", failure_code: code }} flight={null} />);
  const notice = screen.getByRole("status");
  expect(notice.textContent).toMatch(words);
  expect(notice.textContent).not.toContain(detail);
  expect(notice.textContent).not.toMatch(/for support/);
});

it("keeps the API's sentence for support only when no code says why", () => {
  const detail = "something we once wrote";
  render(<LastChangeNotice change={{ id: "och_1", status: "failed", detail, at: "2026-12-04T19:00:00Z" }} flight={null} />);
  expect(screen.getByRole("status").textContent).toContain("Your last flight change was not made. Your trip keeps the flights shown on it.");
  expect(screen.getByText(/Details for support/).textContent).toBe(`Details for support: ${detail}`);
});

const flight = {
  slice: 1,
  origin: "LHR",
  destination: "JFK",
  departure_date: "2027-02-06",
  departure_time: "17:45",
  flights: ["AA237"],
  released_seats: ["14C"],
};

it("says a confirmed change from the history's fields, never from the API's English detail", () => {
  // Was: a pattern over `detail` ("slice 1 changed to … on 2027-02-06 (AA237 at 17:45)"), which
  // a reworded sentence broke. Worded otherwise here, the fields still say it.
  const detail = "the airline now flies slice 1 another day";
  render(<LastChangeNotice change={{ id: "och_1", status: "confirmed", detail, at: "2026-12-04T19:00:00Z" }} flight={flight} />);
  expect(screen.getByRole("status").textContent).toBe(
    "Your flight was changed. Flight 1 is now LHR → JFK on Sat 6 Feb 2027 (AA237 at 17:45); seat 14C was released.",
  );
});

it("says only that the trip shows the new flight while the fields are not there, never the API's sentence", () => {
  const detail = "slice 1 changed to LHR → JFK on 2027-02-06 (AA237 at 17:45)";
  render(<LastChangeNotice change={{ id: "och_1", status: "confirmed", detail, at: "2026-12-04T19:00:00Z" }} flight={null} />);
  expect(screen.getByRole("status").textContent).toBe("Your flight was changed. Your trip below shows the new flight.");
});
