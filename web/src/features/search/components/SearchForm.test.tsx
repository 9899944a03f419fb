// @vitest-environment jsdom
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import type { ReactNode } from "react";
import { afterEach, expect, it, vi } from "vitest";

import { emptyForm, lastSearchDay, type SearchForm as Form, type SearchPreferences } from "../model";
import { SearchForm } from "./SearchForm";

afterEach(cleanup);

const PREFERS: SearchPreferences = { origin: "LHR", cabin: "business", currency: "GBP" };

function drawn(preferences: SearchPreferences | null, onSearch: (form: Form) => void = () => undefined) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  const wrap = (node: ReactNode) => <QueryClientProvider client={client}>{node}</QueryClientProvider>;
  const view = render(wrap(<SearchForm initial={emptyForm()} preferences={preferences} onSearch={onSearch} />));
  return {
    // The profile answers after the form is drawn: the same form, now with preferences.
    arrive: (later: SearchPreferences | null) =>
      view.rerender(wrap(<SearchForm initial={emptyForm()} preferences={later} onSearch={onSearch} />)),
  };
}

const from = () => screen.getByRole<HTMLInputElement>("combobox", { name: "From" });
const cabin = () => screen.getByRole<HTMLSelectElement>("combobox", { name: "Cabin" });
const currency = () => screen.getByRole<HTMLSelectElement>("combobox", { name: "Prices in" });

it("starts from the traveler's home airport, cabin and currency", () => {
  drawn(PREFERS);
  expect([from().value, cabin().value, currency().value]).toEqual(["LHR", "business", "GBP"]);
});

it("takes the preferences when the profile answers after the form was drawn", () => {
  const { arrive } = drawn(null);
  expect([from().value, cabin().value, currency().value]).toEqual(["", "economy", "USD"]);
  arrive(PREFERS);
  expect([from().value, cabin().value, currency().value]).toEqual(["LHR", "business", "GBP"]);
});

it("keeps what the traveler typed or chose before the profile answered", () => {
  const { arrive } = drawn(null);
  fireEvent.change(from(), { target: { value: "cdg" } });
  fireEvent.change(cabin(), { target: { value: "economy" } });
  arrive(PREFERS);
  expect([from().value, cabin().value, currency().value]).toEqual(["cdg", "economy", "GBP"]);
});

it("prices in US dollars for a profile's currency search cannot price, and still searches", () => {
  const onSearch = vi.fn();
  drawn({ origin: "LHR", cabin: null, currency: "JPY" }, onSearch);
  expect([from().value, cabin().value, currency().value]).toEqual(["LHR", "economy", "USD"]);
  fireEvent.submit(screen.getByRole("form", { name: "Search flights" }));
  expect(onSearch).toHaveBeenCalledWith(expect.objectContaining({ currency: "USD", cabin: "economy" }));
});

it("lets the traveler change the currency the preference set", () => {
  const onSearch = vi.fn();
  drawn(PREFERS, onSearch);
  fireEvent.change(currency(), { target: { value: "EUR" } });
  fireEvent.submit(screen.getByRole("form", { name: "Search flights" }));
  expect(onSearch).toHaveBeenCalledWith(expect.objectContaining({ currency: "EUR", cabin: "business" }));
});

it("counts the last day a search may ask for as the API does, 361 days from today (UTC)", () => {
  expect(lastSearchDay("2026-12-06")).toBe("2027-12-02");
  expect(lastSearchDay("2027-03-10")).toBe("2028-03-05"); // over a 29 February
  expect(lastSearchDay("2028-02-29")).toBe("2029-02-24");
});

it("tells a date refused as too far ahead the last day that can be searched, and leaves it typeable", () => {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(new Date("2026-12-06T10:00:00Z"));
  try {
    const far = { ...emptyForm(), trip: "one-way" as const, legs: [{ origin: "LHR", destination: "JFK", date: "2028-01-10" }] };
    const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
    render(
      <QueryClientProvider client={client}>
        <SearchForm initial={far} errors={{ "date-0": "Date is more than 361 days ahead." }} onSearch={() => undefined} />
      </QueryClientProvider>,
    );
    const date = screen.getByLabelText("Departure date");
    expect(date.getAttribute("aria-invalid")).toBe("true");
    const described = document.getElementById(date.getAttribute("aria-describedby") ?? "");
    expect(described?.textContent).toBe("Date is more than 361 days ahead: the last day you can search is Thu 2 Dec 2027.");
    // No `max`: a later date typed in still reaches the API (the browser would refuse it first).
    expect(date.hasAttribute("max")).toBe(false);
  } finally {
    vi.useRealTimers();
  }
});

it("refuses a past departure day beside the field, not in the browser's bubble, and sends nothing", () => {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(new Date("2026-12-06T10:00:00Z"));
  try {
    const onSearch = vi.fn();
    const past = { ...emptyForm(), trip: "one-way" as const, legs: [{ origin: "LHR", destination: "JFK", date: "2026-12-01" }] };
    const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
    render(
      <QueryClientProvider client={client}>
        <SearchForm initial={past} onSearch={onSearch} />
      </QueryClientProvider>,
    );
    const date = screen.getByLabelText("Departure date");
    // No `min`: Chromium would refuse the day itself, with its own bubble, before the form could.
    expect(date.hasAttribute("min")).toBe(false);
    fireEvent.submit(screen.getByRole("form", { name: "Search flights" }));
    expect(onSearch).not.toHaveBeenCalled();
    expect(date.getAttribute("aria-invalid")).toBe("true");
    expect(document.activeElement).toBe(date);
    const described = document.getElementById(date.getAttribute("aria-describedby") ?? "");
    expect(described?.textContent).toBe("Date is in the past: the first day you can search is Sun 6 Dec 2026.");

    // A day that can be searched: the error goes as it is typed, and the search is sent.
    fireEvent.change(date, { target: { value: "2026-12-20" } });
    expect(date.hasAttribute("aria-invalid")).toBe(false);
    fireEvent.submit(screen.getByRole("form", { name: "Search flights" }));
    expect(onSearch).toHaveBeenCalledOnce();
  } finally {
    vi.useRealTimers();
  }
});
