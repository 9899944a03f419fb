import { localDate } from "../../../lib/format";
import type { SearchForm as Form } from "../model";
import { PriceCalendar } from "./PriceCalendar";

interface DateProps {
  label: string;
  name: string;
  /** The first day the price calendar offers (the input takes any day: see below). */
  min: string;
  /** The last day a search may ask for: a later one refused is told it (no `max`, see below). */
  last: string;
  value: string;
  error: string | undefined;
  onChange: (value: string) => void;
  prices: { origin: string; destination: string; cabin: Form["cabin"]; adults: number; currency: Form["currency"] };
}

/**
 * A date, typed or picked from the price calendar under it. It has neither `max` nor `min`: the
 * browser would refuse a day out of them with a bubble of its own, apart from every other
 * field's error and unread with the field. A past or out-of-order day is refused by the form
 * (`dateErrors`), a day past the last one by the API; either is said beside the field, the
 * latter with the last day that can be searched (tests/browser/test_keyboard.py). `min` still
 * starts the price calendar.
 */
export function DateField({ label, name, min, last, value, error, onChange, prices }: DateProps) {
  const id = `field-${name}`;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        name={name}
        type="date"
        required
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
