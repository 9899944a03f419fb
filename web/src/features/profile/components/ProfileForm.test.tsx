// @vitest-environment jsdom
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { cleanup, render, screen, within } from "@testing-library/react";
import { afterEach, expect, it } from "vitest";

import type { Profile } from "../api/me";
import { ProfileForm } from "./ProfileForm";

afterEach(cleanup);

const PROFILE: Profile = {
  given_name: "Ada",
  family_name: "Lovelace",
  email: "ada@example.com",
  phone_number: null,
  home_airport: null,
  cabin_class: null,
  currency: "GBP",
  seat_preference: null,
  notification_channels: ["email"],
  language: null,
  created_at: "",
  updated_at: "",
};

const description = (control: HTMLElement) =>
  (control.getAttribute("aria-describedby") ?? "")
    .split(" ")
    .map((id) => document.getElementById(id)?.textContent)
    .join(" ");

function drawn(profile: Profile) {
  const client = new QueryClient();
  render(
    <QueryClientProvider client={client}>
      <ProfileForm subject="ada" profile={profile} etag={null} reloaded={null} onStale={() => Promise.resolve()} />
    </QueryClientProvider>,
  );
  return screen.getByRole<HTMLSelectElement>("combobox", { name: "Currency" });
}

it("chooses the currency from the ones prices are shown in, by name", () => {
  const currency = drawn(PROFILE);
  expect(currency.value).toBe("GBP");
  const names = within(currency).getAllByRole("option").map((o) => o.textContent);
  expect(names).toEqual(["No preference", "British pound (GBP)", "Euro (EUR)", "US dollar (USD)"]);
  expect(description(currency)).toBe("The one searches show prices in.");
});

it("shows a currency saved before as saved, marked as not used for prices", () => {
  const currency = drawn({ ...PROFILE, currency: "JPY" });
  expect(currency.value).toBe("JPY");
  expect(currency.selectedOptions[0]?.textContent).toBe("Japanese Yen (JPY): not used for prices");
  expect(description(currency)).toBe("Prices are not shown in this one: searches use US dollar (USD) until you choose another.");
});
