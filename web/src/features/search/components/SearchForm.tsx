import { useEffect, useRef, useState } from "react";

import { RadioGroup } from "../../../components/RadioGroup";
import { useAfterRender } from "../../../lib/afterRender";
import { focusFirstInvalid } from "../../../lib/focusInvalid";
import { todayIso } from "../../../lib/format";
import {
  lastSearchDay,
  type Leg,
  MAX_LEGS,
  type PreferredField,
  type SearchForm as Form,
  type SearchPreferences,
  type Trip,
  withPreferences,
} from "../model";
import { dateErrors } from "../dateChecks";
import { AirportField } from "./AirportField";
import { DateField } from "./DateField";
import { PassengerFields } from "./PassengerFields";

interface Props {
  initial: Form;
  /** The signed-in traveler's: fill the fields not typed into (a URL's search passes none). */
  preferences?: SearchPreferences | null;
  errors?: Record<string, string>;
  /** The fields of `initial` the traveler typed into (a search resumed after a sign-in). */
  typed?: ReadonlySet<PreferredField>;
  onSearch: (form: Form) => void;
  /** Told the search as it is typed (the home page keeps it over a sign-in: search/draft.ts). */
  onDraft?: (form: Form, typed: ReadonlySet<PreferredField>) => void;
}

const NOTHING_TYPED: ReadonlySet<PreferredField> = new Set();

const TRIPS: { value: Trip; label: string }[] = [
  { value: "round-trip", label: "Round trip" },
  { value: "one-way", label: "One way" },
  { value: "multi-city", label: "Multi-city" },
];

/** The search: trip type, airports and dates per flight, passengers and cabin. */
export function SearchForm({
  initial,
  preferences = null,
  errors: refused = {},
  typed: typedBefore = NOTHING_TYPED,
  onSearch,
  onDraft,
}: Props) {
  const [form, setForm] = useState(() => withPreferences(initial, preferences, typedBefore));
  const [typed, setTyped] = useState(typedBefore);
  useEffect(() => onDraft?.(form, typed), [onDraft, form, typed]);
  // The profile usually answers after the form is drawn: what it prefers fills the fields the
  // traveler has not typed into by then, and never those they have.
  const [applied, setApplied] = useState(preferences);
  if (preferences !== applied) {
    setApplied(preferences);
    setForm((f) => withPreferences(f, preferences, typed));
  }
  // Days the form itself refuses (past, out of order) beside the API's refusals of the last search.
  const [ownErrors, setOwnErrors] = useState<Record<string, string>>({});
  const errors = { ...refused, ...ownErrors };
  const element = useRef<HTMLFormElement>(null);
  const afterRender = useAfterRender();
  const today = todayIso();
  const last = lastSearchDay(today);
  const legs = form.trip === "multi-city" ? form.legs : form.legs.slice(0, 1);

  function type(...fields: PreferredField[]) {
    setTyped((t) => (fields.every((f) => t.has(f)) ? t : new Set([...t, ...fields])));
  }

  function setLeg(index: number, change: Partial<Leg>) {
    if (index === 0 && change.origin !== undefined) type("origin-0");
    if (change.date !== undefined) forget(`date-${index}`);
    setForm((f) => ({ ...f, legs: f.legs.map((leg, i) => (i === index ? { ...leg, ...change } : leg)) }));
  }

  // A refused day changed: its error goes (the next Search checks again).
  function forget(field: string) {
    setOwnErrors((e) => (field in e ? Object.fromEntries(Object.entries(e).filter(([name]) => name !== field)) : e));
  }

  function setTrip(trip: Trip) {
    setForm((f) => {
      const needed = trip === "multi-city" ? Math.max(2, f.legs.length) : 1;
      const legs = [...f.legs];
      while (legs.length < needed) {
        const prev = legs[legs.length - 1];
        legs.push({ origin: prev?.destination ?? "", destination: "", date: "" });
      }
      return { ...f, trip, legs };
    });
  }

  return (
    <form
      className="search-form"
      aria-label="Search flights"
      ref={element}
      onSubmit={(event) => {
        event.preventDefault();
        const refusedDays = dateErrors(form, today);
        setOwnErrors(refusedDays);
        if (Object.keys(refusedDays).length === 0) onSearch(form);
        // As a refused search does (results page): the first field marked takes the focus.
        else afterRender(() => focusFirstInvalid(element.current));
      }}
    >
      <RadioGroup legend="Trip" name="trip" options={TRIPS} value={form.trip} onChange={setTrip} className="trip-type" optionClassName="chip" />

      {legs.map((leg, index) => (
        <fieldset key={index} className="leg">
          <legend className={form.trip === "multi-city" ? undefined : "visually-hidden"}>
            Flight {index + 1}
          </legend>
          <AirportField
            label="From"
            name={`origin-${index}`}
            value={leg.origin}
            error={errors[`origin-${index}`]}
            onChange={(origin) => setLeg(index, { origin })}
          />
          <AirportField
            label="To"
            name={`destination-${index}`}
            value={leg.destination}
            error={errors[`destination-${index}`]}
            onChange={(destination) => setLeg(index, { destination })}
          />
          <DateField
            label="Departure date"
            name={`date-${index}`}
            min={index > 0 ? (legs[index - 1]?.date || today) : today}
            last={last}
            value={leg.date}
            error={errors[`date-${index}`]}
            onChange={(date) => setLeg(index, { date })}
            prices={{ origin: leg.origin, destination: leg.destination, cabin: form.cabin, adults: form.adults, currency: form.currency }}
          />
          {form.trip === "round-trip" && (
            <DateField
              label="Return date"
              name="return"
              min={leg.date || today}
              last={last}
              value={form.returnDate}
              error={errors.return}
              onChange={(returnDate) => {
                forget("return");
                setForm((f) => ({ ...f, returnDate }));
              }}
              prices={{ origin: leg.destination, destination: leg.origin, cabin: form.cabin, adults: form.adults, currency: form.currency }}
            />
          )}
          {form.trip === "multi-city" && legs.length > 2 && (
            <button
              type="button"
              className="link-button"
              onClick={() => setForm((f) => ({ ...f, legs: f.legs.filter((_, i) => i !== index) }))}
            >
              Remove flight {index + 1}
            </button>
          )}
        </fieldset>
      ))}
      {form.trip === "multi-city" && form.legs.length < MAX_LEGS && (
        <button
          type="button"
          className="secondary"
          onClick={() =>
            setForm((f) => ({
              ...f,
              legs: [...f.legs, { origin: f.legs[f.legs.length - 1]?.destination ?? "", destination: "", date: "" }],
            }))
          }
        >
          Add a flight
        </button>
      )}

      <PassengerFields
        form={form}
        errors={errors}
        onChange={(change) => {
          if (change.cabin !== undefined) type("cabin");
          if (change.currency !== undefined) type("currency");
          setForm((f) => ({ ...f, ...change }));
        }}
      />
      <button type="submit" className="primary">
        Search
      </button>
    </form>
  );
}
