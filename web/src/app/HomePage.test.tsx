// @vitest-environment jsdom
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { MemoryRouter, Route, Routes } from "react-router";
import { afterEach, expect, it } from "vitest";

import { meKeys, type Profile } from "../features/profile/api/me";
import { ResultsPage } from "../features/results";
import { emptyForm, rememberDraft, resumedDraft } from "../features/search";
import { setSession } from "../lib/session";
import { signInForTest } from "../lib/testSession";
import { HomePage } from "./HomePage";

afterEach(() => {
  cleanup();
  setSession(null);
  sessionStorage.clear();
});

const SUBJECT = "ada";
const PROFILE: Profile = {
  given_name: "Ada",
  family_name: "Lovelace",
  email: "ada@example.com",
  phone_number: null,
  home_airport: "LHR",
  cabin_class: "business",
  currency: "GBP",
  seat_preference: "window",
  notification_channels: ["email"],
  language: "en-GB",
  created_at: "2026-12-01T10:00:00Z",
  updated_at: "2026-12-01T10:00:00Z",
};

function signIn() {
  signInForTest(SUBJECT);
}

/** The app at `url`, with the traveler's profile already read (nothing is fetched for it). */
function openAt(url: string) {
  const client = new QueryClient({ defaultOptions: { queries: { staleTime: Infinity, retry: false } } });
  client.setQueryData(meKeys.profile(SUBJECT), { data: PROFILE, etag: '"1"' });
  render(
    <QueryClientProvider client={client}>
      <MemoryRouter initialEntries={[url]}>
        <Routes>
          <Route path="/" element={<HomePage />} />
          <Route path="/results" element={<ResultsPage />} />
        </Routes>
      </MemoryRouter>
    </QueryClientProvider>,
  );
}

const values = () => [
  screen.getByRole<HTMLInputElement>("combobox", { name: "From" }).value,
  screen.getByRole<HTMLSelectElement>("combobox", { name: "Cabin" }).value,
  screen.getByRole<HTMLSelectElement>("combobox", { name: "Prices in" }).value,
];

it("starts a signed-in traveler's search from their profile's preferences", () => {
  signIn();
  openAt("/");
  expect(values()).toEqual(["LHR", "business", "GBP"]);
});

it("starts a signed-out visitor's search empty, in economy and US dollars", () => {
  openAt("/");
  expect(values()).toEqual(["", "economy", "USD"]);
});

it("shows a shared search link's own values, not the traveler's preferences", () => {
  window.scrollTo = () => undefined; // the results page scrolls to the top; jsdom has no scrolling
  signIn();
  openAt("/results?trip=one-way&leg=CDG.JFK.2027-01-10&cabin=first&currency=EUR");
  expect(values()).toEqual(["CDG", "first", "EUR"]);
});

it("resumes the search typed before signing in, the traveler's own choices over the profile's", () => {
  // Typed signed out: From, To and a day, cabin and currency chosen; then off to sign in.
  const typed = {
    ...emptyForm(),
    trip: "one-way" as const,
    legs: [{ origin: "CDG", destination: "JFK", date: "2027-01-10" }],
    adults: 2,
    cabin: "premium_economy" as const,
    currency: "EUR" as const,
  };
  rememberDraft(typed, new Set(["origin-0", "cabin", "currency"] as const));
  signIn(); // back, signed in: the profile prefers LHR, business and GBP
  openAt("/");
  expect(values()).toEqual(["CDG", "premium_economy", "EUR"]);
  expect(screen.getByRole<HTMLInputElement>("combobox", { name: "To" }).value).toBe("JFK");
  expect(screen.getByLabelText<HTMLInputElement>("Departure date").value).toBe("2027-01-10");
  expect(screen.getByRole<HTMLInputElement>("radio", { name: "One way" }).checked).toBe(true);
});

it("keeps the search as it is typed, and the fields not typed into take the profile's", () => {
  openAt("/");
  fireEvent.change(screen.getByRole("combobox", { name: "To" }), { target: { value: "JFK" } });
  expect(resumedDraft()?.form.legs[0]?.destination).toBe("JFK");
  cleanup();
  signIn();
  openAt("/");
  expect(values()).toEqual(["LHR", "business", "GBP"]); // nothing of these typed: preferred
  expect(screen.getByRole<HTMLInputElement>("combobox", { name: "To" }).value).toBe("JFK");
});
