// @vitest-environment jsdom
import { cleanup, render, screen } from "@testing-library/react";
import { afterEach, expect, it } from "vitest";

import { drafts } from "../model";
import { PassengerForm } from "./PassengerForm";

afterEach(cleanup);

/** The words a control's aria-describedby points to, as a screen reader reads them after its name. */
const description = (control: HTMLElement) =>
  (control.getAttribute("aria-describedby") ?? "")
    .split(" ")
    .map((id) => document.getElementById(id)?.textContent)
    .join(" ");

it("says an infant's age rule under the date of birth, read with it, and the error after it", () => {
  const [, infant] = drafts({ adults: 1, infants: 1 }, {});
  if (!infant) throw new Error("an infant");
  const hint = "Under 2 on Sat 16 Jan 2027, when the flight leaves";
  render(<PassengerForm index={1} passenger={infant} travelers={[]} errors={{}} ageHint={hint} onChange={() => undefined} />);
  expect(description(screen.getByLabelText("Date of birth"))).toBe(hint);
  cleanup();

  const errors = { "p1-born_on": "Must be in the past." };
  render(<PassengerForm index={1} passenger={infant} travelers={[]} errors={errors} ageHint={hint} onChange={() => undefined} />);
  const birth = screen.getByLabelText("Date of birth");
  expect(birth.getAttribute("aria-invalid")).toBe("true");
  expect(description(birth)).toBe(`${hint} Must be in the past.`);
});
