import { useEffect, useRef, useState } from "react";

import { busyButton } from "../../../lib/attempt";
import { SelectField, TextField } from "../../../components/Field";
import { ProblemNotice } from "../../../components/ProblemNotice";
import { useAfterRender } from "../../../lib/afterRender";
import { focusFirstInvalid } from "../../../lib/focusInvalid";
import { fieldErrors, type Problem } from "../../../lib/problems";
import { MeProblem } from "../api/me";
import { newTraveler, type TravelerDraft, travelerFieldFor } from "../model";

interface Props {
  title: string;
  initial: TravelerDraft;
  maskedNumber?: string | undefined; // the stored document's number, masked: blank keeps it
  onSave: (draft: TravelerDraft) => Promise<void>;
  onCancel: () => void;
}

const GENDERS: [string, string][] = [
  ["", "Choose…"],
  ["f", "Female"],
  ["m", "Male"],
  ["x", "Unspecified (X)"],
];
const DOCUMENTS: [string, string][] = [
  ["", "No document"],
  ["passport", "Passport"],
  ["id_card", "Identity card"],
];

/** A companion as their passport names them, and their travel document; errors beside each field. */
export function TravelerForm({ title, initial, maskedNumber, onSave, onCancel }: Props) {
  const [draft, setDraft] = useState(initial);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);
  const heading = useRef<HTMLHeadingElement>(null);
  const form = useRef<HTMLFormElement>(null);
  const submit = useRef<HTMLButtonElement>(null);
  const afterRender = useAfterRender();
  // Opened in place of the button pressed (Add, Edit), which is gone: its heading takes the focus.
  useEffect(() => heading.current?.focus(), []);
  const errors = problem ? fieldErrors(problem, travelerFieldFor, newTraveler(draft)) : { byField: {} as Record<string, string>, other: [] };
  const text = (name: keyof TravelerDraft, label: string, type = "text", hint?: string) => (
    <TextField
      id={`traveler-${name}`}
      label={label}
      type={type}
      hint={hint}
      value={draft[name]}
      error={errors.byField[name]}
      onChange={(value) => setDraft((d) => ({ ...d, [name]: value }))}
    />
  );
  return (
    <form
      ref={form}
      className="traveler-form card-form"
      aria-label={title}
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        setBusy(true);
        setProblem(null);
        onSave(draft).catch((error: unknown) => {
          // Save was disabled while it ran and lost the focus: the first field refused takes it.
          afterRender(() => focusFirstInvalid(form.current, submit.current));
          setProblem(error instanceof MeProblem ? error.problem : { type: "about:blank", status: 0 });
          setBusy(false);
        });
      }}
    >
      <h3 ref={heading} tabIndex={-1}>
        {title}
      </h3>
      {problem && <ProblemNotice problem={problem} backing="profile" other={errors.other} />}
      <div className="form-grid">
        {text("given_name", "Given name")}
        {text("family_name", "Family name")}
        {text("born_on", "Date of birth", "date")}
        <SelectField
          id="traveler-gender"
          label="Gender (as on the passport)"
          value={draft.gender}
          options={GENDERS}
          error={errors.byField.gender}
          onChange={(gender) => setDraft((d) => ({ ...d, gender: gender as TravelerDraft["gender"] }))}
        />
        <SelectField
          id="traveler-document_type"
          label="Travel document"
          value={draft.document_type}
          options={DOCUMENTS}
          error={errors.byField.document_type}
          onChange={(type) => setDraft((d) => ({ ...d, document_type: type as TravelerDraft["document_type"] }))}
        />
        {draft.document_type !== "" && (
          <>
            {text(
              "document_number",
              "Document number",
              "text",
              maskedNumber ? `Leave blank to keep ${maskedNumber}` : "Letters and digits, as printed",
            )}
            {text("issuing_country", "Issuing country", "text", "Two letters, such as GB")}
            {text("expires_on", "Expiry date", "date")}
          </>
        )}
      </div>
      <div className="actions">
        <button type="submit" className="primary" {...busyButton(busy)} ref={submit}>
          Save traveler
        </button>
        <button type="button" className="secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
