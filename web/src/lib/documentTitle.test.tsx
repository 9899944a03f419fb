// @vitest-environment jsdom
import { cleanup, render, waitFor } from "@testing-library/react";
import { useRef } from "react";
import { afterEach, expect, it } from "vitest";

import { titleFor, useTitleFromHeading } from "./documentTitle";

afterEach(cleanup);

it("titles a screen by its heading, then the site", () => {
  expect(titleFor("LHR → JFK")).toBe("LHR → JFK · Skyfare");
  expect(titleFor("  Who is\n flying? ")).toBe("Who is flying? · Skyfare");
  expect(titleFor(null)).toBe("Skyfare");
  expect(titleFor("")).toBe("Skyfare");
});

function Screen({ heading }: { heading: string | null }) {
  const main = useRef<HTMLElement>(null);
  useTitleFromHeading(main);
  return <main ref={main}>{heading === null ? <p>Loading…</p> : <h1>{heading}</h1>}</main>;
}

it("follows the heading as a screen draws it and changes it", async () => {
  document.title = "Skyfare";
  const { rerender } = render(<Screen heading={null} />);
  expect(document.title).toBe("Skyfare");
  rerender(<Screen heading="Pay for your trip" />);
  await waitFor(() => expect(document.title).toBe("Pay for your trip · Skyfare"));
  rerender(<Screen heading="Your trip is booked" />);
  await waitFor(() => expect(document.title).toBe("Your trip is booked · Skyfare"));
});
