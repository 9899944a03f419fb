import type { ReactNode } from "react";

interface Props {
  id: string;
  label: string;
  error?: string | undefined;
  hint?: string | undefined;
  children: (describedBy: { "aria-invalid"?: true; "aria-describedby"?: string }) => ReactNode;
}

/** A labelled control with its hint and its error beside it (the API's `errors[]`, lib/problems). */
export function Field({ id, label, error, hint, children }: Props) {
  const described = [hint && `${id}-hint`, error && `${id}-error`].filter(Boolean).join(" ");
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {hint && (
        <p id={`${id}-hint`} className="meta hint">
          {hint}
        </p>
      )}
      {children({
        ...(error ? { "aria-invalid": true as const } : {}),
        ...(described ? { "aria-describedby": described } : {}),
      })}
      {error && (
        <p id={`${id}-error`} className="field-error">
          {error}
        </p>
      )}
    </div>
  );
}

interface TextProps {
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  error?: string | undefined;
  hint?: string | undefined;
  type?: string;
  required?: boolean;
  autoComplete?: string;
}

export function TextField({ id, label, value, onChange, error, hint, type = "text", required, autoComplete }: TextProps) {
  return (
    <Field id={id} label={label} error={error} hint={hint}>
      {(aria) => (
        <input
          id={id}
          name={id}
          type={type}
          required={required}
          autoComplete={autoComplete ?? "off"}
          value={value}
          onChange={(event) => onChange(event.target.value)}
          {...aria}
        />
      )}
    </Field>
  );
}

interface SelectProps {
  id: string;
  label: string;
  value: string;
  options: [string, string][]; // value, label
  onChange: (value: string) => void;
  error?: string | undefined;
  hint?: string | undefined;
  required?: boolean;
}

export function SelectField({ id, label, value, options, onChange, error, hint, required }: SelectProps) {
  return (
    <Field id={id} label={label} error={error} hint={hint}>
      {(aria) => (
        <select id={id} name={id} required={required} value={value} onChange={(event) => onChange(event.target.value)} {...aria}>
          {options.map(([option, text]) => (
            <option key={option} value={option}>
              {text}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}
