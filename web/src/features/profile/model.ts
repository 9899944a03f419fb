import type { Schemas } from "../../lib/api/client";
import { currencyName, isPricedCurrency, PRICED_CURRENCIES } from "../../lib/currencies";
import { phoneToSend } from "../../lib/phone";
import type { Profile, Traveler } from "./api/me";

/** The profile form: every field as typed (empty = unset). */
export interface ProfileDraft {
  given_name: string;
  family_name: string;
  email: string;
  phone_number: string;
  home_airport: string;
  cabin_class: string;
  currency: string;
  seat_preference: string;
  language: string;
  email_notifications: boolean;
  sms_notifications: boolean;
}

const TEXT_FIELDS = [
  "given_name",
  "family_name",
  "email",
  "phone_number",
  "home_airport",
  "cabin_class",
  "currency",
  "seat_preference",
  "language",
] as const;

export function profileDraft(profile: Profile): ProfileDraft {
  const draft = Object.fromEntries(TEXT_FIELDS.map((name) => [name, profile[name] ?? ""])) as Omit<
    ProfileDraft,
    "email_notifications" | "sms_notifications"
  >;
  return {
    ...draft,
    email_notifications: profile.notification_channels.includes("email"),
    sms_notifications: profile.notification_channels.includes("sms"),
  };
}

/** The currency select's options (value, label): none, each currency search prices in by name,
 * and `stored` when it is another (saved before the API refused those): shown as saved, marked,
 * so the form neither hides it nor changes it unasked (a save sends only the fields changed). */
export function currencyOptions(stored: string | null): [string, string][] {
  const options: [string, string][] = [
    ["", "No preference"],
    ...PRICED_CURRENCIES.map((code): [string, string] => [code, `${currencyName(code)} (${code})`]),
  ];
  if (stored && !isPricedCurrency(stored)) {
    options.push([stored, `${currencyName(stored)} (${stored}): not used for prices`]);
  }
  return options;
}

/** The merge patch (RFC 7396) from `before` to `after`: changed fields only, an emptied one `null`. */
export function profilePatch(before: ProfileDraft, after: ProfileDraft): Schemas["ProfilePatch"] {
  const patch: Record<string, unknown> = {};
  for (const name of TEXT_FIELDS) {
    const value = name === "phone_number" ? phoneToSend(after[name]) : after[name].trim();
    if (value !== before[name].trim()) patch[name] = value === "" ? null : value;
  }
  if (
    before.email_notifications !== after.email_notifications ||
    before.sms_notifications !== after.sms_notifications
  ) {
    patch.notification_channels = [
      ...(after.email_notifications ? ["email"] : []),
      ...(after.sms_notifications ? ["sms"] : []),
    ];
  }
  return patch;
}

/** `home_airport` → the field of that name; `notification_channels[0]` → the channels; else none. */
export function profileFieldFor(apiField: string): string | undefined {
  if (apiField.startsWith("notification_channels")) return "notification_channels";
  return (TEXT_FIELDS as readonly string[]).includes(apiField) ? apiField : undefined;
}

/** A saved traveler's form. The document number is blank when editing: blank keeps the stored one. */
export interface TravelerDraft {
  given_name: string;
  family_name: string;
  born_on: string;
  gender: "" | Traveler["gender"];
  document_type: "" | "passport" | "id_card";
  document_number: string;
  issuing_country: string;
  expires_on: string;
}

export function travelerDraft(traveler?: Traveler): TravelerDraft {
  return {
    given_name: traveler?.given_name ?? "",
    family_name: traveler?.family_name ?? "",
    born_on: traveler?.born_on ?? "",
    gender: traveler?.gender ?? "",
    document_type: traveler?.document?.type ?? "",
    document_number: "",
    issuing_country: traveler?.document?.issuing_country ?? "",
    expires_on: traveler?.document?.expires_on ?? "",
  };
}

/** A document is kept while its type is chosen. "No document" hides its fields without emptying
 * them (chosen again, they come back as typed), so what they still hold says nothing. */
function hasDocument(draft: TravelerDraft): draft is TravelerDraft & { document_type: "passport" | "id_card" } {
  return draft.document_type !== "";
}

/** `POST /v1/me/travelers`; the document only when a type is chosen (the API checks the rest). A
 * gender not chosen is left out: the API names it beside its field, where "Unspecified (X)" was
 * saved unasked for a traveler whose passport may say F or M. */
export function newTraveler(draft: TravelerDraft): Schemas["NewTraveler"] {
  return {
    given_name: draft.given_name.trim(),
    family_name: draft.family_name.trim(),
    born_on: draft.born_on,
    ...(draft.gender ? { gender: draft.gender } : {}),
    ...(hasDocument(draft)
      ? {
          document: {
            type: draft.document_type,
            number: draft.document_number.trim(),
            issuing_country: draft.issuing_country.trim(),
            expires_on: draft.expires_on,
          },
        }
      : {}),
  } as Schemas["NewTraveler"]; // its gender may be missing, on purpose (above)
}

/** The merge patch of an edit: changed fields; the document's changed members (its number only
 * when a new one was typed), or `null` when "No document" is chosen. */
export function travelerPatch(before: TravelerDraft, after: TravelerDraft): Schemas["TravelerPatch"] {
  const patch: Record<string, unknown> = {};
  for (const name of ["given_name", "family_name", "born_on", "gender"] as const) {
    if (after[name].trim() !== before[name].trim()) patch[name] = after[name].trim() || null;
  }
  if (hasDocument(before) && !hasDocument(after)) {
    patch.document = null;
  } else if (hasDocument(after)) {
    const document: Record<string, string> = {};
    if (after.document_type !== before.document_type) document.type = after.document_type;
    if (after.document_number.trim()) document.number = after.document_number.trim();
    if (after.issuing_country.trim() !== before.issuing_country.trim()) document.issuing_country = after.issuing_country.trim();
    if (after.expires_on !== before.expires_on) document.expires_on = after.expires_on;
    if (Object.keys(document).length > 0) patch.document = document;
  }
  return patch;
}

const DOCUMENT_FIELDS: Record<string, keyof TravelerDraft> = {
  document: "document_number",
  "document.type": "document_type",
  "document.number": "document_number",
  "document.issuing_country": "issuing_country",
  "document.expires_on": "expires_on",
};

export function travelerFieldFor(apiField: string): string | undefined {
  if (["given_name", "family_name", "born_on", "gender"].includes(apiField)) return apiField;
  return DOCUMENT_FIELDS[apiField];
}
