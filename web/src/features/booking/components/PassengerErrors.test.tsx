// @vitest-environment jsdom
import { cleanup, render, screen } from "@testing-library/react";
import { MemoryRouter } from "react-router";
import { afterEach, expect, it } from "vitest";

import type { Problem } from "../../../lib/problems";
import { drafts } from "../model";
import { BookingFailure } from "./BookingFailure";
import { PassengerForm } from "./PassengerForm";

afterEach(cleanup);

const refused: Problem = { type: "https://skyfare.dev/problems/validation-error", status: 422 };
const [ada] = drafts({ adults: 1 }, { given_name: "Ada", family_name: "Lovelace", email: "ada@example.com" });

function refusedForm(errors: Record<string, string>) {
  render(
    <MemoryRouter>
      <form aria-label="Passengers">
        <BookingFailure problem={refused} other={[]} onAccept={() => undefined} />
        {ada && <PassengerForm index={0} passenger={ada} saved={{ offered: [], notOffered: [], rule: undefined }} errors={errors} onChange={() => undefined} />}
      </form>
    </MemoryRouter>,
  );
}

it("ties the gender's error to its select, as the text fields' are", () => {
  refusedForm({ "p0-gender": "must be one of f, m, x" });
  const gender = screen.getByLabelText("Gender (as on the passport)");
  expect(gender.getAttribute("aria-invalid")).toBe("true");
  const described = document.getElementById(gender.getAttribute("aria-describedby") ?? "");
  expect(described?.textContent).toBe("must be one of f, m, x");
});

it("moves focus to the first field the API refused, not to the notice above the form", () => {
  refusedForm({ "p0-born_on": "must be in the past", "p0-phone_number": "must be an E.164 phone number" });
  expect(document.activeElement).toBe(screen.getByLabelText("Date of birth"));
  expect(screen.getByRole("alert").textContent).toContain("Some details need fixing");
});

it("focuses the notice when no field on the page is marked", () => {
  refusedForm({});
  expect(document.activeElement?.className).toBe("failure");
});
