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

it("names each control once: the email address and the channel checkboxes are told apart", () => {
  drawn(PROFILE);
  const form = screen.getByRole("form", { name: "Your profile" });
  // A screen reader's list of form controls shows names without their group: two "Email"s were
  // one address and one checkbox, the same word.
  const named = (name: RegExp) => ["textbox", "checkbox"].flatMap((role) => within(form).queryAllByRole(role, { name }));
  expect(named(/^email$/i)).toHaveLength(1);
  expect(named(/^sms$/i)).toHaveLength(0);
  expect(within(form).getByRole("textbox", { name: "Email" })).toHaveProperty("value", "ada@example.com");
  expect(within(form).getByRole("checkbox", { name: "Trip updates by email" })).toHaveProperty("checked", true);
  expect(within(form).getByRole("checkbox", { name: "Trip updates by SMS" })).toHaveProperty("checked", false);
});
