// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, expect, it, vi } from "vitest";

import type { Airport } from "../../../lib/api/client";
import { AirportField } from "./AirportField";

const LONDONS: Airport[] = [
  { code: "LHR", name: "London Heathrow Airport", city: "London", country: "GB" },
  { code: "LGW", name: "London Gatwick Airport", city: "London", country: "GB" },
  { code: "YXU", name: "London Airport", city: "London", country: "CA" },
];

vi.mock("../api/airports", () => ({ useAirports: (q: string) => ({ data: q ? LONDONS : [] }) }));

afterEach(cleanup);

function typeLon() {
  const onChange = vi.fn();
  render(<AirportField label="From" name="origin-0" value="" onChange={onChange} />);
  const box = screen.getByRole("combobox", { name: "From" });
  fireEvent.change(box, { target: { value: "lon" } });
  return { box, onChange };
}

it("names each suggestion's country, so London, England and London, Ontario differ", async () => {
  typeLon();
  const options = await screen.findAllByRole("option");
  expect(options.map((o) => o.textContent)).toEqual([
    "LHR London, United Kingdom · London Heathrow Airport",
    "LGW London, United Kingdom · London Gatwick Airport",
    "YXU London, Canada · London Airport",
  ]);
});

it("scrolls the option the arrow keys reach into view and picks it with Enter", async () => {
  const scrolled: string[] = [];
  Element.prototype.scrollIntoView = function (this: Element) {
    scrolled.push(this.id);
  };
  const { box, onChange } = typeLon();
  await screen.findAllByRole("option");
  fireEvent.keyDown(box, { key: "ArrowDown" });
  fireEvent.keyDown(box, { key: "ArrowDown" });
  fireEvent.keyDown(box, { key: "ArrowDown" });
  const active = box.getAttribute("aria-activedescendant");
  expect(document.getElementById(active ?? "")?.textContent).toContain("YXU");
  expect(scrolled.at(-1)).toBe(active);
  fireEvent.keyDown(box, { key: "Enter" });
  expect(onChange).toHaveBeenLastCalledWith("YXU");
});
