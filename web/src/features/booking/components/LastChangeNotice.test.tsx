// @vitest-environment jsdom
import { cleanup, render, screen } from "@testing-library/react";
import { afterEach, expect, it } from "vitest";

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
      }}
    />,
  );
  const notice = screen.getByRole("status");
  expect(notice.textContent).toContain("Your last flight change was not made.");
  expect(screen.getByText("Your bank declined the card, so nothing was charged. Try another card, or ask your bank why.")).toBeTruthy();
  expect(screen.getByText("The airline put the original flights back.")).toBeTruthy();
  expect(notice.textContent?.match(/do_not_honor/g)).toHaveLength(1);
  expect(screen.getByText(/Code for support/).textContent).toBe("Code for support: do_not_honor");
});

it("says a confirmed change in the trip history's words, not the API's slices and ISO dates", () => {
  // The detail as booking/change_store.py writes it (the trip page said "Slice 1 changed to …").
  const detail = "slice 1 changed to LHR → JFK on 2027-02-06 (AA237 at 17:45); seats 14C released";
  render(<LastChangeNotice change={{ id: "och_1", status: "confirmed", detail, at: "2026-12-04T19:00:00Z" }} />);
  expect(screen.getByRole("status").textContent).toBe(
    "Your flight was changed. Flight 1 is now LHR → JFK on Sat 6 Feb 2027 (AA237 at 17:45); seats 14C were released.",
  );
});

it("says a confirmed change it cannot read as written", () => {
  render(<LastChangeNotice change={{ id: "och_1", status: "confirmed", detail: "the airline moved it", at: "2026-12-04T19:00:00Z" }} />);
  expect(screen.getByRole("status").textContent).toBe("Your flight was changed. The airline moved it.");
});

it("says a change worded with the mails' dates the same way as one written with ISO dates", () => {
  // booking/change_terms.py `summary()` now says the day as every mail does (kernel/dates.py).
  const detail = "slice 1 changed to LHR → JFK on 06 Feb 2027 (AA237 at 17:45)";
  render(<LastChangeNotice change={{ id: "och_1", status: "confirmed", detail, at: "2026-12-04T19:00:00Z" }} />);
  expect(screen.getByRole("status").textContent).toBe("Your flight was changed. Flight 1 is now LHR → JFK on Sat 6 Feb 2027 (AA237 at 17:45).");
});
