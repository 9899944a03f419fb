// @vitest-environment jsdom
import { cleanup, render, screen } from "@testing-library/react";
import { afterEach, expect, it } from "vitest";

import { StatusHeading } from "./StatusHeading";

let stopListening = () => {};

afterEach(() => {
  stopListening();
  cleanup();
});

/** The headings that get the focus from now on (what a screen reader announces), by their words. */
function focusedHeadings(): string[] {
  const got: string[] = [];
  const listen = (event: FocusEvent) => {
    const target = event.target as HTMLElement;
    if (target.tagName === "H1") got.push(target.textContent ?? "");
  };
  document.addEventListener("focusin", listen);
  stopListening = () => document.removeEventListener("focusin", listen);
  return got;
}

it("moves the focus to its new words when it had the focus, so they are announced", () => {
  const { rerender } = render(<StatusHeading>Payment in progress…</StatusHeading>);
  screen.getByRole("heading", { level: 1 }).focus();
  const focused = focusedHeadings();

  rerender(<StatusHeading>Your trip is booked</StatusHeading>);

  const heading = screen.getByRole("heading", { level: 1, name: "Your trip is booked" });
  expect(document.activeElement).toBe(heading);
  // Was: the same heading kept the focus with its words changed, which no screen reader says.
  expect(focused).toEqual(["Your trip is booked"]);
  // Said once: the heading is no live region (the focus says it).
  expect(heading.closest("[aria-live], [role=status], [role=alert]")).toBeNull();
});

it("leaves the focus where the traveler put it when the heading did not have it", () => {
  const { rerender } = render(
    <>
      <StatusHeading>Payment in progress…</StatusHeading>
      <a href="/trips">My trips</a>
    </>,
  );
  screen.getByRole("heading", { level: 1 }).focus();
  screen.getByRole("link", { name: "My trips" }).focus();

  rerender(
    <>
      <StatusHeading>Your trip is booked</StatusHeading>
      <a href="/trips">My trips</a>
    </>,
  );

  expect(screen.getByRole("heading", { level: 1 }).textContent).toBe("Your trip is booked");
  expect(document.activeElement).toBe(screen.getByRole("link", { name: "My trips" }));
});

it("keeps the focus where it is when its words stay the same", () => {
  const { rerender } = render(<StatusHeading>Your trip is booked</StatusHeading>);
  const heading = screen.getByRole("heading", { level: 1 });
  heading.focus();
  const focused = focusedHeadings();

  rerender(<StatusHeading>Your trip is booked</StatusHeading>);

  expect(screen.getByRole("heading", { level: 1 })).toBe(heading);
  expect(document.activeElement).toBe(heading);
  expect(focused).toEqual([]);
});
