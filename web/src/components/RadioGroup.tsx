interface Props<T extends string> {
  legend: string;
  name: string;
  options: readonly { value: T; label: string }[];
  value: T;
  onChange: (value: T) => void;
  className: string; // the fieldset's
  optionClassName: string; // each label's
}

/** One choice of a few, as radio buttons under a legend. */
export function RadioGroup<T extends string>({ legend, name, options, value, onChange, className, optionClassName }: Props<T>) {
  return (
    <fieldset className={className}>
      <legend>{legend}</legend>
      {options.map((option) => (
        <label key={option.value} className={optionClassName}>
          <input type="radio" name={name} value={option.value} checked={value === option.value} onChange={() => onChange(option.value)} />
          {option.label}
        </label>
      ))}
    </fieldset>
  );
}
