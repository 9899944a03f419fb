import { expect, it } from "vitest";

import type { Profile, Traveler } from "./api/me";
import {
  currencyOptions,
  newTraveler,
  profileDraft,
  profileFieldFor,
  profilePatch,
  travelerDraft,
  travelerFieldFor,
  travelerPatch,
} from "./model";

const profile: Profile = {
  given_name: "Ada",
  family_name: "Lovelace",
  email: "ada@example.com",
  phone_number: null,
  home_airport: "LHR",
  cabin_class: null,
  currency: "GBP",
  seat_preference: null,
  notification_channels: ["email", "sms"],
  language: null,
  created_at: "",
  updated_at: "",
};

it("patches only the profile fields changed, an emptied one as null", () => {
  const before = profileDraft(profile);
  expect(profilePatch(before, before)).toEqual({});
  expect(profilePatch(before, { ...before, home_airport: " jfk ", currency: "", sms_notifications: false })).toEqual({
    home_airport: "jfk",
    currency: null,
    notification_channels: ["email"],
  });
});

it("sends a phone number typed with spaces, hyphens or brackets as the API takes it", () => {
  // The hint says "+44…", and "+44 20 7183 8750" was refused for its spaces.
  const before = profileDraft(profile);
  expect(profilePatch(before, { ...before, phone_number: " +44 20 7183-8750 " })).toEqual({ phone_number: "+442071838750" });
  expect(profilePatch(before, { ...before, phone_number: "+1 (415) 555.0100" })).toEqual({ phone_number: "+14155550100" });
  // Not "+" and digits: as typed, for the API to refuse beside the field.
  expect(profilePatch(before, { ...before, phone_number: "020 7183 8750" })).toEqual({ phone_number: "020 7183 8750" });
  const saved = profileDraft({ ...profile, phone_number: "+442071838750" });
  expect(profilePatch(saved, { ...saved, phone_number: "+44 20 7183 8750" })).toEqual({});
});

it("offers the currencies prices are shown in, by name", () => {
  expect(currencyOptions("GBP")).toEqual([
    ["", "No preference"],
    ["GBP", "British pound (GBP)"],
    ["EUR", "Euro (EUR)"],
    ["USD", "US dollar (USD)"],
  ]);
  expect(currencyOptions(null)).toHaveLength(4);
});

it("shows a currency saved before the API refused others as saved, marked, and keeps it on a save of another field", () => {
  const options = currencyOptions("JPY");
  expect(options.at(-1)).toEqual(["JPY", "Japanese Yen (JPY): not used for prices"]);
  expect(options).toHaveLength(5);
  const before = profileDraft({ ...profile, currency: "JPY" });
  expect(before.currency).toBe("JPY");
  expect(profilePatch(before, { ...before, phone_number: "+442071838750" })).toEqual({ phone_number: "+442071838750" });
  expect(profilePatch(before, { ...before, currency: "EUR" })).toEqual({ currency: "EUR" });
});

it("places the profile's errors beside their fields", () => {
  expect(profileFieldFor("home_airport")).toBe("home_airport");
  expect(profileFieldFor("notification_channels[1]")).toBe("notification_channels");
  expect(profileFieldFor("colour")).toBeUndefined();
});

const traveler: Traveler = {
  id: "trv_1",
  given_name: "Charles",
  family_name: "Babbage",
  born_on: "1991-12-26",
  gender: "m",
  loyalty_accounts: [],
  document: { type: "passport", number: "•••••4567", issuing_country: "GB", expires_on: "2030-01-01" },
  created_at: "",
  updated_at: "",
};

it("keeps the stored document number unless a new one is typed", () => {
  const before = travelerDraft(traveler);
  expect(before.document_number).toBe("");
  expect(travelerPatch(before, { ...before, expires_on: "2035-01-01" })).toEqual({
    document: { expires_on: "2035-01-01" },
  });
  expect(travelerPatch(before, { ...before, document_number: "Y7654321" })).toEqual({
    document: { number: "Y7654321" },
  });
});

it("removes the document when every field of it is emptied", () => {
  const before = travelerDraft(traveler);
  const emptied = { ...before, document_type: "", issuing_country: "", expires_on: "" } as const;
  expect(travelerPatch(before, emptied)).toEqual({ document: null });
});

it("removes the document when No document is chosen, though its hidden fields still hold values", () => {
  // Its fields are hidden then, not emptied: the patch re-sent the passport ({type: "passport"}).
  const before = travelerDraft(traveler);
  expect(travelerPatch(before, { ...before, document_type: "" })).toEqual({ document: null });
});

it("saves a new traveler without the document its form offered and then was told No document", () => {
  const draft = { ...travelerDraft(), given_name: "Zoë", family_name: "O'Brien-Núñez", born_on: "1990-02-03", gender: "f" as const };
  const changedMind = { ...draft, document_number: "X1234567", issuing_country: "GB", expires_on: "2031-01-01" };
  expect(newTraveler(changedMind)).toEqual({ given_name: "Zoë", family_name: "O'Brien-Núñez", born_on: "1990-02-03", gender: "f" });
});

it("leaves a gender not chosen out, for the API to name it, rather than saving Unspecified (X)", () => {
  const draft = { ...travelerDraft(), given_name: "Zoë", family_name: "Núñez", born_on: "1990-02-03" };
  expect(newTraveler(draft)).toEqual({ given_name: "Zoë", family_name: "Núñez", born_on: "1990-02-03" });
});

it("places a document's errors beside its fields", () => {
  expect(travelerFieldFor("document.number")).toBe("document_number");
  expect(travelerFieldFor("born_on")).toBe("born_on");
  expect(travelerFieldFor("loyalty_accounts[0].account_number")).toBeUndefined();
});
