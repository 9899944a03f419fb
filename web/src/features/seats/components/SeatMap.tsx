import { Fragment, type KeyboardEvent, useRef, useState } from "react";

import { money } from "../../../lib/format";
import { choosable, type SeatedPassenger, seatLabel } from "../choices";
import { type CabinLayout, type Cell, type FacilityRow, moveFrom, type Seat, seatsIn } from "../layout";
import { isPreferred, type PreferredPosition } from "../preference";
import { seatMarks } from "../marks";

interface Props {
  layout: CabinLayout;
  caption: string;
  passenger: string; // who is choosing now (pas_N)
  seated: Record<string, string>; // passenger id → designator, on this segment
  passengers: SeatedPassenger[];
  /** The signed-in traveler's (profile): such free seats are marked, the first one focused. */
  preferred?: PreferredPosition | null;
  onChoose: (designator: string) => void;
}

const FACILITY = { galley: "Galley", lavatory: "Toilet", bassinet: "Bassinet", empty: "" } as const;

/**
 * One cabin as a table: a column per seat letter, the row number in the aisle, exits at the
 * row's ends. One seat is in the tab order; the arrow keys, Home and End move between seats
 * (a roving tabindex), Enter or Space chooses. Every seat says what it is in its name.
 */
export function SeatMap({ layout, caption, passenger, seated, passengers, preferred = null, onChoose }: Props) {
  const table = useRef<HTMLTableElement>(null);
  const seats = seatsIn(layout);
  const mine = seated[passenger];
  const [focused, setFocused] = useState<string | null>(null);
  const occupant = (designator: string) => {
    const id = Object.entries(seated).find(([, d]) => d === designator)?.[0];
    return passengers.find((p) => p.id === id);
  };
  const marked = (seat: Seat) => !occupant(seat.designator) && isPreferred(seat, passenger, preferred);
  const current =
    (focused && seats.some((s) => s.designator === focused) && focused) ||
    mine ||
    seats.find(marked)?.designator ||
    seats.find((s) => choosable(s, passenger))?.designator ||
    seats[0]?.designator;
  const shown = seats.find((s) => s.designator === current);
  const marks = seatMarks(passengers);

  function onKeyDown(event: KeyboardEvent<HTMLButtonElement>, designator: string) {
    const next = moveFrom(layout, designator, event.key);
    if (next === null) return;
    event.preventDefault();
    setFocused(next);
    table.current?.querySelector<HTMLButtonElement>(`[data-seat="${next}"]`)?.focus();
  }

  const cell = (c: Cell, index: number, rowNumber: number) => {
    if (c.kind === "aisle") {
      const first = layout.columns.indexOf(null) === index;
      return first ? (
        <th key={index} scope="row" className="aisle">
          {rowNumber}
        </th>
      ) : (
        <td key={index} className="aisle" />
      );
    }
    if (c.kind === "empty") return <td key={index} />;
    return (
      <td key={index}>
        <SeatButton
          seat={c}
          passenger={passenger}
          occupant={occupant(c.designator)}
          marks={marks}
          preferred={marked(c)}
          tabbable={c.designator === current}
          onFocus={() => setFocused(c.designator)}
          onKeyDown={(event) => onKeyDown(event, c.designator)}
          onChoose={onChoose}
        />
      </td>
    );
  };

  const hasAisle = layout.columns.includes(null);
  return (
    <div className="seat-map">
      <div className="seat-map-scroll">
        <table ref={table} className="seat-table">
          <caption className="visually-hidden">{caption}</caption>
          <thead>
            <tr>
              <td className="exit-mark" />
              {layout.columns.map((letter, index) =>
                letter === null ? (
                  <td key={index} className="aisle" />
                ) : (
                  <th key={index} scope="col">
                    {letter}
                  </th>
                ),
              )}
              <td className="exit-mark" />
            </tr>
          </thead>
          <tbody>
            {layout.rows.map((row, r) =>
              row.kind === "facilities" ? (
                <FacilityLine key={r} row={row} />
              ) : (
                <tr key={r} className={row.wing ? "wing" : undefined}>
                  <ExitMark exit={row.exit} />
                  {row.cells.map((c, index) => cell(c, index, row.number))}
                  {!hasAisle && (
                    <th scope="row" className="visually-hidden">
                      {row.number}
                    </th>
                  )}
                  <ExitMark exit={row.exit} />
                </tr>
              ),
            )}
          </tbody>
        </table>
      </div>
      <p className="seat-focus" aria-hidden="true">
        {shown ? seatLabel(shown, passenger, occupant(shown.designator)).replace(/^Seat /, "") : " "}
      </p>
    </div>
  );
}

function ExitMark({ exit }: { exit: boolean }) {
  return <td className={exit ? "exit-mark exit" : "exit-mark"}>{exit && <span className="visually-hidden">Exit</span>}</td>;
}

function FacilityLine({ row }: { row: FacilityRow }) {
  return (
    <tr className="facility-row">
      <td className="exit-mark" />
      {row.items.map((item, index) => (
        <Fragment key={index}>
          {index > 0 && <td className="aisle" />}
          <td colSpan={item.span} className={item.type === "empty" ? undefined : `facility ${item.type}`}>
            {FACILITY[item.type]}
          </td>
        </Fragment>
      ))}
      <td className="exit-mark" />
    </tr>
  );
}

interface SeatProps {
  seat: Seat;
  passenger: string;
  occupant: SeatedPassenger | undefined;
  marks: Record<string, string>; // what a chosen seat shows for each passenger
  preferred: boolean;
  tabbable: boolean;
  onFocus: () => void;
  onKeyDown: (event: KeyboardEvent<HTMLButtonElement>) => void;
  onChoose: (designator: string) => void;
}

function SeatButton({ seat, passenger, occupant, marks, preferred, tabbable, onFocus, onKeyDown, onChoose }: SeatProps) {
  const open = choosable(seat, passenger);
  const price = seat.prices[passenger];
  const paid = price !== undefined && Number(price.amount) > 0;
  const state = occupant ? "chosen" : open ? (paid ? "paid" : "free") : "taken";
  return (
    <button
      type="button"
      data-seat={seat.designator}
      className={`seat seat-${state}${seat.extraLegroom ? " seat-legroom" : ""}${preferred ? " seat-preferred" : ""}`}
      aria-label={seatLabel(seat, passenger, occupant)}
      aria-pressed={occupant?.id === passenger}
      aria-disabled={!open || undefined}
      tabIndex={tabbable ? 0 : -1}
      title={price ? money(price.amount, price.currency) : undefined}
      onFocus={onFocus}
      onKeyDown={onKeyDown}
      onClick={() => open && onChoose(seat.designator)}
    >
      <span aria-hidden="true">{occupant ? marks[occupant.id] : open ? seat.letter : "×"}</span>
    </button>
  );
}
