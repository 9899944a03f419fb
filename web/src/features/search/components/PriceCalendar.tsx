import { useId, useState } from "react";

import type { CabinClass, Currency } from "../../../lib/api/client";
import { moneyRounded } from "../../../lib/format";
import { useFareCalendar } from "../api/calendar";
import { monthGrid, monthLabel, shiftMonth } from "../calendarGrid";

interface Props {
  origin: string;
  destination: string;
  cabin: CabinClass;
  adults: number;
  /** The form's "Prices in": the calendar shows the fares searches in it found. */
  currency: Currency;
  min: string; // YYYY-MM-DD: no earlier day is offered
  value: string;
  onPick: (day: string) => void;
}

const WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/** The month under a date field, each day with its cheapest cached fare (asked only once opened). */
export function PriceCalendar({ origin, destination, cabin, adults, currency, min, value, onPick }: Props) {
  const id = useId();
  const [open, setOpen] = useState(false);
  const [month, setMonth] = useState((value || min).slice(0, 7));
  const { data, isFetching, isError } = useFareCalendar(origin, destination, month, cabin, adults, currency, open);
  const ready = /^[A-Z]{3}$/.test(origin) && /^[A-Z]{3}$/.test(destination);
  const earliest = min.slice(0, 7);
  return (
    <details className="price-calendar" onToggle={(event) => setOpen(event.currentTarget.open)}>
      <summary>Prices by day</summary>
      {!ready ? (
        <p className="meta">Choose both airports to see the prices we know of.</p>
      ) : (
        <div>
          <div className="calendar-nav">
            <button
              type="button"
              className="link-button"
              disabled={month <= earliest}
              aria-label="Previous month"
              onClick={() => setMonth(shiftMonth(month, -1))}
            >
              ‹ Previous
            </button>
            {/* h2: it heads a part of the screen whose h1 is the page's (an h3 skipped a level) */}
            <h2 id={`${id}-caption`} aria-live="polite">
              {monthLabel(month)}
            </h2>
            <button
              type="button"
              className="link-button"
              aria-label="Next month"
              onClick={() => setMonth(shiftMonth(month, 1))}
            >
              Next ›
            </button>
          </div>
          <p className="meta" role="status">
            {isFetching
              ? "Looking up prices…"
              : isError
                ? "Prices are unavailable right now; any date can still be searched."
                : `${origin} → ${destination}: the lowest prices seen recently, one way. Days without one can still be searched.`}
          </p>
          <table className="calendar" aria-labelledby={`${id}-caption`}>
            <thead>
              <tr>
                {WEEKDAYS.map((day) => (
                  <th key={day} scope="col">
                    {day}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {monthGrid(month).map((week, row) => (
                <tr key={row}>
                  {week.map((day, column) => {
                    if (!day) return <td key={column} />;
                    const fare = data?.days[day]?.cheapest;
                    const price = fare ? moneyRounded(fare.amount, fare.currency) : null;
                    const number = Number(day.slice(8));
                    return (
                      <td key={column}>
                        <button
                          type="button"
                          className={price ? "day has-price" : "day"}
                          disabled={day < min}
                          aria-pressed={day === value}
                          aria-label={`${number} ${monthLabel(month)}${price ? `, from ${price}` : ""}`}
                          onClick={() => onPick(day)}
                        >
                          <span className="day-number">{number}</span>
                          <span className="day-price">{price ?? "\u00a0"}</span>
                        </button>
                      </td>
                    );
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </details>
  );
}
