// @vitest-environment jsdom
import { cleanup, render, screen } from "@testing-library/react";
import { MemoryRouter } from "react-router";
import { afterEach, describe, expect, it } from "vitest";

import { NotFound } from "./NotFound";

afterEach(cleanup);

describe("NotFound", () => {
  it("names the address it has no page for and links home", () => {
    render(
      <MemoryRouter initialEntries={["/trips/x/y/z"]}>
        <NotFound />
      </MemoryRouter>,
    );
    expect(screen.getByRole("heading", { level: 1, name: "Page not found" })).toBeTruthy();
    expect(screen.getByText("/trips/x/y/z")).toBeTruthy();
    expect(screen.getByRole("link", { name: "Search flights" }).getAttribute("href")).toBe("/");
    expect(screen.getByRole("link", { name: "My trips" }).getAttribute("href")).toBe("/trips");
  });
});
