import { useEffect, useId, useState } from "react";

import type { Airport } from "../../../lib/api/client";
import { useAirports } from "../api/airports";
import { airportPlace } from "../airportPlace";
import { useDebounced } from "../hooks/useDebounced";

interface Props {
  label: string;
  name: string;
  value: string; // an IATA code, or what the traveler typed
  error?: string | undefined;
  onChange: (code: string) => void;
}

/** An airport field with type-ahead: the ARIA 1.2 combobox pattern (a text box and a listbox). */
export function AirportField({ label, name, value, error, onChange }: Props) {
  const id = useId();
  const [text, setText] = useState(value);
  // A value set from outside (the traveler's home airport arriving, a flight removed above)
  // replaces the text; the traveler's own typing, which it echoes, does not.
  const [shownValue, setShownValue] = useState(value);
  if (value !== shownValue) {
    setShownValue(value);
    if (value !== text.trim().toUpperCase()) setText(value);
  }
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const q = useDebounced(text, 150);
  const { data: airports = [] } = useAirports(open ? q : "");
  const shown = open && airports.length > 0;

  function pick(airport: Airport) {
    setText(airport.code);
    onChange(airport.code);
    setOpen(false);
    setActive(-1);
  }

  function onKeyDown(event: React.KeyboardEvent<HTMLInputElement>) {
    if (event.key === "ArrowDown" && airports.length) {
      event.preventDefault();
      setOpen(true);
      setActive((i) => Math.min(i + 1, airports.length - 1));
    } else if (event.key === "ArrowUp" && shown) {
      event.preventDefault();
      setActive((i) => Math.max(i - 1, 0));
    } else if (event.key === "Enter" && shown && active >= 0) {
      event.preventDefault();
      const airport = airports[active];
      if (airport) pick(airport);
    } else if (event.key === "Escape") {
      setOpen(false);
    }
  }

  const activeId = shown && active >= 0 ? `${id}-option-${active}` : undefined;
  // The list scrolls: the option the arrows reach is brought into view (focus stays in the box).
  useEffect(() => {
    if (activeId) document.getElementById(activeId)?.scrollIntoView?.({ block: "nearest" });
  }, [activeId]);
  return (
    <div className="field airport-field">
      <label htmlFor={`${id}-input`}>{label}</label>
      <input
        id={`${id}-input`}
        name={name}
        type="text"
        role="combobox"
        autoComplete="off"
        autoCapitalize="characters"
        spellCheck={false}
        required
        placeholder="City or airport"
        aria-autocomplete="list"
        aria-expanded={shown}
        aria-controls={`${id}-listbox`}
        aria-activedescendant={activeId}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
        value={text}
        onChange={(event) => {
          setText(event.target.value);
          onChange(event.target.value.trim().toUpperCase());
          setOpen(true);
          setActive(-1);
        }}
        onKeyDown={onKeyDown}
        onBlur={() => setOpen(false)}
      />
      <ul id={`${id}-listbox`} role="listbox" aria-label={`${label} airports`} hidden={!shown}>
        {shown &&
          airports.map((airport, index) => (
            <li
              key={airport.code}
              id={`${id}-option-${index}`}
              role="option"
              aria-selected={index === active}
              // mousedown, not click: the text box's blur would close the list first
              onMouseDown={(event) => {
                event.preventDefault();
                pick(airport);
              }}
            >
              <span className="code">{airport.code}</span> {airportPlace(airport)} · {airport.name}
            </li>
          ))}
      </ul>
      {error && (
        <p id={`${id}-error`} className="field-error">
          {error}
        </p>
      )}
    </div>
  );
}
