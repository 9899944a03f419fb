// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen, within } from "@testing-library/react";
import { useState } from "react";
import { Link, MemoryRouter } from "react-router";
import { afterEach, expect, it, vi } from "vitest";

import { BankCheck as Controlled } from "./BankCheck";

const BANK = "http://127.0.0.1:9100/payments/challenge/pi_1";

afterEach(cleanup);

const PAY_STEP = "/book/off_1?order=ord_1&step=pay";

/** As the trip page holds it: whether the bank's page is closed (`left`: the traveler came to
 * the trip later, so it starts closed). */
function BankCheck(props: { url: string; onAnswered: () => void; left?: boolean }) {
  const [closed, setClosed] = useState(props.left ?? false);
  return (
    <MemoryRouter>
      <Controlled url={props.url} onAnswered={props.onAnswered} closed={closed} onClosedChange={setClosed}>
        <Link className="button secondary" to={PAY_STEP}>
          Use another card
        </Link>
      </Controlled>
    </MemoryRouter>
  );
}

it("shows the bank's page in a dialog headed to confirm with the bank", () => {
  render(<BankCheck url={BANK} onAnswered={() => {}} />);
  const dialog = screen.getByRole("dialog", { name: "Confirm with your bank" });
  const frame = within(dialog).getByTitle("Your bank’s page");
  expect(frame.tagName).toBe("IFRAME");
  expect(frame.getAttribute("src")).toBe(BANK);
  // The way out when the frame stays blank: the bank's page as the window (a full navigation).
  expect(within(dialog).getByRole("link", { name: "Open it in this window" }).getAttribute("href")).toBe(BANK);
  expect(screen.queryByRole("button", { name: "Pay now" })).toBeNull();
});

it("says the traveler gave up when they close it, and Pay now opens the bank's page again", () => {
  render(<BankCheck url={BANK} onAnswered={() => {}} />);
  const dialog = screen.getByRole("dialog", { name: "Confirm with your bank" });
  // jsdom has no modal dialogs: the `close` event is what Close and Escape end in, in a browser.
  act(() => void dialog.dispatchEvent(new Event("close")));

  expect(screen.queryByRole("dialog")).toBeNull();
  expect(screen.getByRole("status").textContent).toBe(
    "You closed your bank’s page before confirming, so this payment is not done and nothing has been charged. Pay now to confirm it with your bank, or use another card instead (this payment is then canceled).",
  );
  // Beside it, the way out for a bank whose page never works: pay with another card.
  expect(screen.getByRole("link", { name: "Use another card" }).getAttribute("href")).toBe(PAY_STEP);
  // Not focused: the order's payment retitles the trip's heading, which takes the focus back.
  expect(document.activeElement).not.toBe(screen.getByRole("status"));
  fireEvent.click(screen.getByRole("button", { name: "Pay now" }));
  expect(screen.getByRole("dialog", { name: "Confirm with your bank" })).toBeTruthy();
  expect(screen.getByRole("status").textContent).toBe("");
});

it("asks for the order again once the bank's page sends its frame back", () => {
  const answered = vi.fn();
  render(<BankCheck url={BANK} onAnswered={answered} />);
  const frame = screen.getByTitle("Your bank’s page");
  fireEvent.load(frame); // the bank's page itself
  expect(answered).not.toHaveBeenCalled();
  fireEvent.load(frame); // /bank-return, after Complete or Fail
  expect(answered).toHaveBeenCalledOnce();
});

it("offers a traveler who came back to a payment waiting for the bank to confirm it or use another card", () => {
  render(<BankCheck url={BANK} onAnswered={() => {}} left />);
  // Nothing opens unasked, and the words do not say they closed anything.
  expect(screen.queryByRole("dialog")).toBeNull();
  expect(screen.getByRole("status").textContent).toBe(
    "Your bank has not confirmed this payment yet, so this payment is not done and nothing has been charged. Pay now to confirm it with your bank, or use another card instead (this payment is then canceled).",
  );
  expect(screen.getByRole("link", { name: "Use another card" }).getAttribute("href")).toBe(PAY_STEP);
  fireEvent.click(screen.getByRole("button", { name: "Pay now" }));
  const dialog = screen.getByRole("dialog", { name: "Confirm with your bank" });
  act(() => void dialog.dispatchEvent(new Event("close")));
  expect(screen.getByRole("status").textContent).toMatch(/^You closed your bank’s page before confirming/);
});
