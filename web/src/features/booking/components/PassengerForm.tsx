import { dayWords } from "../../../lib/format";
import type { SavedTravelers } from "../ages";
import type { PassengerDraft } from "../model";
import { LapChoice } from "./LapChoice";

interface Props {
  index: number;
  passenger: PassengerDraft;
  /** The saved travelers to choose from instead of typing: those whose age fits the place
   * (ages `travelersFor`), and the others named with why. */
  saved: SavedTravelers;
  errors: Record<string, string>;
  /** Under the date of birth: the age the airline asks of this passenger (ages `ageRule`). */
  ageHint?: string | undefined;
  onChange: (change: Partial<PassengerDraft>) => void;
  /** An infant's: the adults whose lap they may fly on (model `lapHolders`), and the choice. */
  laps?: { adults: { index: number; name: string }[]; onHold: (adult: number) => void } | undefined;
}

const TYPE_LABEL = { adult: "adult", child: "child", infant: "infant" } as const;

/** One traveler's details as the airline needs them; the API's errors beside each field. */
export function PassengerForm({ index, passenger, saved: { offered: travelers, notOffered, rule }, errors, ageHint, onChange, laps }: Props) {
  const saved = passenger.traveler_id !== "";
  const field = (name: keyof PassengerDraft) => `p${index}-${name}`;
  const savedId = field("traveler_id");
  // An error is tied to its control (read with it), as `input`'s are.
  const describedBy = (id: string, hint?: string) => {
    const described = [hint && `${id}-hint`, errors[id] && `${id}-error`].filter(Boolean).join(" ");
    return {
      ...(errors[id] ? { "aria-invalid": true as const } : {}),
      ...(described ? { "aria-describedby": described } : {}),
    };
  };
  const errorOf = (id: string) =>
    errors[id] && (
      <p id={`${id}-error`} className="field-error">
        {errors[id]}
      </p>
    );
  const input = (name: Exclude<keyof PassengerDraft, "held_by">, label: string, type: string, autoComplete: string, required = true, hint?: string) => {
    const id = field(name);
    return (
      <div className="field">
        <label htmlFor={id}>{label}</label>
        {hint && (
          <p id={`${id}-hint`} className="meta hint">
            {hint}
          </p>
        )}
        <input
          id={id}
          name={id}
          type={type}
          required={required}
          readOnly={saved && !["email", "phone_number"].includes(name)}
          autoComplete={index === 0 ? autoComplete : "off"}
          value={passenger[name]}
          {...describedBy(id, hint)}
          onChange={(event) => onChange({ [name]: event.target.value })}
        />
        {errorOf(id)}
      </div>
    );
  };
  const genderId = field("gender");
  return (
    <fieldset className="passenger">
      <legend>
        Passenger {index + 1} ({TYPE_LABEL[passenger.type]})
      </legend>
      <div className="passenger-fields">
      {travelers.length === 0 && notOffered.length > 0 && (
        <p className="meta hint saved-traveler">{whyNotOffered(notOffered, rule, false)}</p>
      )}
      {travelers.length > 0 && (
        <div className="field saved-traveler">
          <label htmlFor={savedId}>Saved traveler</label>
          {/* before the list, as every hint is before its control (the date of birth's age) */}
          {notOffered.length > 0 && (
            <p id={`${savedId}-hint`} className="meta hint">
              {whyNotOffered(notOffered, rule, true)}
            </p>
          )}
          <select
            id={savedId}
            name={savedId}
            value={passenger.traveler_id}
            {...describedBy(savedId, notOffered.length > 0 ? "not offered" : undefined)}
            onChange={(event) => {
              const chosen = travelers.find((t) => t.id === event.target.value);
              onChange(
                chosen
                  ? {
                      traveler_id: chosen.id,
                      given_name: chosen.given_name,
                      family_name: chosen.family_name,
                      born_on: chosen.born_on,
                      gender: chosen.gender,
                    }
                  : { traveler_id: "", given_name: "", family_name: "", born_on: "", gender: "" },
              );
            }}
          >
            <option value="">Someone else: type their details</option>
            {travelers.map((t) => (
              <option key={t.id} value={t.id}>
                {t.given_name} {t.family_name} (born {dayWords(t.born_on)})
              </option>
            ))}
          </select>
          {errorOf(savedId)}
        </div>
      )}
      {input("given_name", "Given name", "text", "given-name")}
      {input("family_name", "Family name", "text", "family-name")}
      {input("born_on", "Date of birth", "date", "bday", true, ageHint)}
      <div className="field">
        <label htmlFor={genderId}>Gender (as on the passport)</label>
        <select
          id={genderId}
          name={genderId}
          required
          disabled={saved}
          value={passenger.gender}
          {...describedBy(genderId)}
          onChange={(event) => onChange({ gender: event.target.value as PassengerDraft["gender"] })}
        >
          <option value="">Choose…</option>
          <option value="f">Female</option>
          <option value="m">Male</option>
          <option value="x">Unspecified (X)</option>
        </select>
        {errorOf(genderId)}
      </div>
      {passenger.type === "infant" && laps && (
        <LapChoice index={index} adults={laps.adults} heldBy={passenger.held_by} onChoose={laps.onHold} />
      )}
      {index === 0 && input("email", "Email", "email", "email")}
      {index === 0 && input("phone_number", "Phone number (optional, +44…)", "tel", "tel", false)}
      </div>
    </fieldset>
  );
}

/** Why saved travelers are missing from the list: the place's age rule, and who they are. */
function whyNotOffered(notOffered: SavedTravelers["notOffered"], rule: string | undefined, someOffered: boolean): string {
  const names = notOffered.map((t) => `${t.given_name} ${t.family_name}`).join(", ");
  const age = rule ? ` (${rule.charAt(0).toLowerCase()}${rule.slice(1)})` : "";
  return someOffered
    ? `Not offered for this place, as their age does not fit${age}: ${names}.`
    : `No saved traveler is offered for this place, as none's age fits${age}: ${names}.`;
}
