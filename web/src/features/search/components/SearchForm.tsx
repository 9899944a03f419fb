import { useState } from "react";

import { RadioGroup } from "../../../components/RadioGroup";
import { localDate, todayIso } from "../../../lib/format";
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
import { AirportField } from "./AirportField";
import { PassengerFields } from "./PassengerFields";
import { PriceCalendar } from "./PriceCalendar";

interface Props {
  initial: Form;
  /** The signed-in traveler's: fill the fields not typed into (a URL's search passes none). */
  preferences?: SearchPreferences | null;
  errors?: Record<string, string>;
  onSearch: (form: Form) => void;
}

const NOTHING_TYPED: ReadonlySet<PreferredField> = new Set();

const TRIPS: { value: Trip; label: string }[] = [
  { value: "round-trip", label: "Round trip" },
  { value: "one-way", label: "One way" },
  { value: "multi-city", label: "Multi-city" },
];

/** The search: trip type, airports and dates per flight, passengers and cabin. */
export function SearchForm({ initial, preferences = null, errors = {}, onSearch }: Props) {
  const [form, setForm] = useState(() => withPreferences(initial, preferences, NOTHING_TYPED));
  const [typed, setTyped] = useState(NOTHING_TYPED);
  // The profile usually answers after the form is drawn: what it prefers fills the fields the
  // traveler has not typed into by then, and never those they have.
  const [applied, setApplied] = useState(preferences);
  if (preferences !== applied) {
    setApplied(preferences);
    setForm((f) => withPreferences(f, preferences, typed));
  }
  const today = todayIso();
  const last = lastSearchDay(today);
  const legs = form.trip === "multi-city" ? form.legs : form.legs.slice(0, 1);

  function type(...fields: PreferredField[]) {
    setTyped((t) => (fields.every((f) => t.has(f)) ? t : new Set([...t, ...fields])));
  }

  function setLeg(index: number, change: Partial<Leg>) {
    if (index === 0 && change.origin !== undefined) type("origin-0");
    setForm((f) => ({ ...f, legs: f.legs.map((leg, i) => (i === index ? { ...leg, ...change } : leg)) }));
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
      onSubmit={(event) => {
        event.preventDefault();
        onSearch(form);
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
              onChange={(returnDate) => setForm((f) => ({ ...f, returnDate }))}
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

interface DateProps {
  label: string;
  name: string;
  min: string;
  /** The last day a search may ask for: a later one refused is told it (no `max`, see below). */
  last: string;
  value: string;
  error: string | undefined;
  onChange: (value: string) => void;
  prices: { origin: string; destination: string; cabin: Form["cabin"]; adults: number; currency: Form["currency"] };
}

/**
 * A date, typed or picked from the price calendar under it. It has no `max`: the form leaves
 * its checks to the browser, which would refuse a later date typed in with a bubble of its own
 * before anything is sent; the API's refusal is beside the field instead, read with it, with the
 * last day that can be searched (tests/browser/test_keyboard.py).
 */
function DateField({ label, name, min, last, value, error, onChange, prices }: DateProps) {
  const id = `field-${name}`;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        name={name}
        type="date"
        required
        min={min}
        value={value}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
        onChange={(event) => onChange(event.target.value)}
      />
      {error && (
        <p id={`${id}-error`} className="field-error">
          {/* one sentence: the field's error (a sentence of its own, lib/problems) then the way on */}
          {value > last ? `${error.replace(/\.$/, "")}: the last day you can search is ${localDate(last)}.` : error}
        </p>
      )}
      <PriceCalendar min={min} value={value} onPick={onChange} {...prices} />
    </div>
  );
}
