import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";

import { busyButton } from "../../../lib/attempt";
import { SelectField, TextField } from "../../../components/Field";
import { ProblemNotice } from "../../../components/ProblemNotice";
import { currencyName, DEFAULT_CURRENCY, isPricedCurrency } from "../../../lib/currencies";
import { useAfterRender } from "../../../lib/afterRender";
import { focusFirstInvalid } from "../../../lib/focusInvalid";
import { fieldErrors, problemKind, type Problem } from "../../../lib/problems";
import { MeProblem, meKeys, type Profile, saveProfile } from "../api/me";
import { currencyOptions, type ProfileDraft, profileDraft, profileFieldFor, profilePatch } from "../model";

interface Props {
  subject: string;
  profile: Profile;
  etag: string | null;
  /** Why the form was reloaded (a 412: changed elsewhere since it was read), shown until the next save. */
  reloaded: Problem | null;
  onStale: (problem: Problem) => Promise<void>;
}

const CABINS: [string, string][] = [
  ["", "No preference"],
  ["economy", "Economy"],
  ["premium_economy", "Premium economy"],
  ["business", "Business"],
  ["first", "First"],
];
const SEATS: [string, string][] = [
  ["", "No preference"],
  ["window", "Window"],
  ["aisle", "Aisle"],
  ["none", "Any seat"],
];

/** The profile: saved as a merge patch of the fields changed, guarded by the ETag it was read at. */
export function ProfileForm({ subject, profile, etag, reloaded, onStale }: Props) {
  const queryClient = useQueryClient();
  const initial = profileDraft(profile);
  const [draft, setDraft] = useState<ProfileDraft>(initial);
  const [problem, setProblem] = useState<Problem | null>(reloaded);
  const [saved, setSaved] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const form = useRef<HTMLFormElement>(null);
  const submit = useRef<HTMLButtonElement>(null);
  const afterRender = useAfterRender();
  const notice = useRef<HTMLDivElement>(null);
  // Drawn anew after a save found the profile changed elsewhere (a 412): the Save pressed is
  // gone with the old form, so the notice saying why takes the focus.
  useEffect(() => {
    if (reloaded) notice.current?.focus();
  }, [reloaded]);
  const refused = useRef(false); // a save was just refused (not the reload's notice on arrival)
  // Focus to the first field refused, else back to Save (disabled while saving, it lost focus).
  useEffect(() => {
    if (!problem || !refused.current) return;
    refused.current = false;
    focusFirstInvalid(form.current, submit.current);
  }, [problem]);
  const errors = problem ? fieldErrors(problem, profileFieldFor) : { byField: {} as Record<string, string>, other: [] };
  const set = (change: Partial<ProfileDraft>) => {
    setDraft((d) => ({ ...d, ...change }));
    setSaved(null);
  };
  const text = (name: keyof ProfileDraft, label: string, type = "text", autoComplete?: string, hint?: string) => (
    <TextField
      id={`profile-${name}`}
      label={label}
      type={type}
      hint={hint}
      autoComplete={autoComplete}
      value={draft[name] as string}
      error={errors.byField[name]}
      onChange={(value) => set({ [name]: value })}
    />
  );

  async function save() {
    const patch = profilePatch(initial, draft);
    setProblem(null);
    if (Object.keys(patch).length === 0) {
      setSaved("Nothing changed.");
      return;
    }
    setBusy(true);
    try {
      const answer = await saveProfile(patch, etag);
      queryClient.setQueryData(meKeys.profile(subject), answer);
      setDraft(profileDraft(answer.data));
      setSaved("Your profile is saved.");
      // Save was disabled while it ran and lost the focus: back on it, once enabled again.
      afterRender(() => submit.current?.focus());
    } catch (error) {
      const failed = error instanceof MeProblem ? error.problem : { type: "about:blank", status: 0 };
      // Changed elsewhere since this page read it: the form starts again from the current version
      // (re-sending this draft would undo the other change).
      if (problemKind(failed) === "precondition-failed") {
        await onStale(failed);
      } else {
        refused.current = true;
        setProblem(failed);
      }
    } finally {
      setBusy(false);
    }
  }

  return (
    <form
      ref={form}
      className="profile-form card-form"
      aria-label="Your profile"
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        void save();
      }}
    >
      <h2>Your details</h2>
      {problem && <ProblemNotice problem={problem} backing="profile" other={errors.other} ref={problem === reloaded ? notice : undefined} />}
      <div className="form-grid">
        {text("given_name", "Given name", "text", "given-name", "As on your passport")}
        {text("family_name", "Family name", "text", "family-name")}
        {text("email", "Email", "email", "email")}
        {text("phone_number", "Phone number", "tel", "tel", "With the country code: +44…")}
      </div>
      <h3>Travel preferences</h3>
      <div className="form-grid">
        {text("home_airport", "Home airport", "text", undefined, "Its IATA code, such as LHR")}
        <SelectField
          id="profile-cabin_class"
          label="Cabin"
          value={draft.cabin_class}
          options={CABINS}
          error={errors.byField.cabin_class}
          onChange={(cabin_class) => set({ cabin_class })}
        />
        <SelectField
          id="profile-seat_preference"
          label="Seat"
          value={draft.seat_preference}
          options={SEATS}
          error={errors.byField.seat_preference}
          onChange={(seat_preference) => set({ seat_preference })}
        />
        <SelectField
          id="profile-currency"
          label="Currency"
          value={draft.currency}
          options={currencyOptions(profile.currency)}
          hint={
            profile.currency && !isPricedCurrency(profile.currency)
              ? `Prices are not shown in this one: searches use ${currencyName(DEFAULT_CURRENCY)} (${DEFAULT_CURRENCY}) until you choose another.`
              : "The one searches show prices in."
          }
          error={errors.byField.currency}
          onChange={(currency) => set({ currency })}
        />
        {text("language", "Language", "text", undefined, "Such as en-GB")}
      </div>
      <fieldset
        className="channels"
        aria-describedby={errors.byField.notification_channels ? "profile-channels-error" : undefined}
      >
        {/* Named in full: a screen reader's list of controls drops the legend, and "Email" was
            already the address's name above. */}
        <legend>Send me trip updates</legend>
        <label className="check">
          <input
            type="checkbox"
            checked={draft.email_notifications}
            onChange={(event) => set({ email_notifications: event.target.checked })}
            aria-label="Trip updates by email"
          />
          By email
        </label>
        <label className="check">
          <input
            type="checkbox"
            checked={draft.sms_notifications}
            onChange={(event) => set({ sms_notifications: event.target.checked })}
            aria-label="Trip updates by SMS"
          />
          By SMS
        </label>
        {errors.byField.notification_channels && (
          <p id="profile-channels-error" className="field-error">
            {errors.byField.notification_channels}
          </p>
        )}
      </fieldset>
      <div className="actions">
        <button type="submit" className="primary" {...busyButton(busy)} ref={submit}>
          Save profile
        </button>
        {/* Always drawn: a live region added with its words already in it is often not read out. */}
        <p role="status" className="saved">
          {saved}
        </p>
      </div>
    </form>
  );
}
