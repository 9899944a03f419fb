import type { CabinClass, Currency } from "../../../lib/api/client";
import { CABIN_LABELS, CURRENCY_LABELS, type SearchForm } from "../model";

interface Props {
  form: SearchForm;
  errors: Record<string, string>;
  onChange: (change: Partial<SearchForm>) => void;
}

const CABINS = Object.entries(CABIN_LABELS).map(([value, label]) => ({ value: value as CabinClass, label }));

const range = (low: number, high: number) => Array.from({ length: high - low + 1 }, (_, i) => low + i);

/** Passengers by type (9 seated at most, an infant per adult), the cabin and the prices' currency. */
export function PassengerFields({ form, errors, onChange }: Props) {
  const seatedLeft = 9 - form.adults - form.children;
  return (
    <fieldset className="passengers">
      <legend>Passengers, cabin and currency</legend>
      <Count
        label="Adults"
        name="adults"
        options={range(1, 9 - form.children)}
        value={form.adults}
        error={errors.adults}
        onChange={(adults) => onChange({ adults, infants: Math.min(form.infants, adults) })}
      />
      <Count
        label="Children (2–11)"
        name="children"
        options={range(0, form.children + seatedLeft)}
        value={form.children}
        error={errors.children}
        onChange={(children) => onChange({ children })}
      />
      <Count
        label="Infants (under 2)"
        name="infants"
        options={range(0, form.adults)}
        value={form.infants}
        error={errors.infants}
        onChange={(infants) => onChange({ infants })}
      />
      <div className="field">
        <label htmlFor="field-cabin">Cabin</label>
        <select
          id="field-cabin"
          name="cabin"
          value={form.cabin}
          onChange={(event) => onChange({ cabin: event.target.value as CabinClass })}
        >
          {CABINS.map((cabin) => (
            <option key={cabin.value} value={cabin.value}>
              {cabin.label}
            </option>
          ))}
        </select>
        {errors.cabin && <p className="field-error">{errors.cabin}</p>}
      </div>
      <div className="field">
        <label htmlFor="field-currency">Prices in</label>
        <select
          id="field-currency"
          name="currency"
          value={form.currency}
          onChange={(event) => onChange({ currency: event.target.value as Currency })}
        >
          {Object.entries(CURRENCY_LABELS).map(([code, label]) => (
            <option key={code} value={code}>
              {label}
            </option>
          ))}
        </select>
        {errors.currency && <p className="field-error">{errors.currency}</p>}
      </div>
    </fieldset>
  );
}

interface CountProps {
  label: string;
  name: string;
  options: number[];
  value: number;
  error: string | undefined;
  onChange: (value: number) => void;
}

function Count({ label, name, options, value, error, onChange }: CountProps) {
  const id = `field-${name}`;
  return (
    <div className="field count">
      <label htmlFor={id}>{label}</label>
      <select
        id={id}
        name={name}
        value={value}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
        onChange={(event) => onChange(Number(event.target.value))}
      >
        {options.map((n) => (
          <option key={n} value={n}>
            {n}
          </option>
        ))}
      </select>
      {error && (
        <p id={`${id}-error`} className="field-error">
          {error}
        </p>
      )}
    </div>
  );
}
