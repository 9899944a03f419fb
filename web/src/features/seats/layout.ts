import type { Schemas } from "../../lib/api/client";

/**
 * A seat map (`GET /v1/seat_maps`: cabins → rows → sections → elements) as a grid to draw: one
 * column per seat letter with an aisle column between sections, exits and wings as row flags,
 * facility rows (galley, lavatory, bassinet) as spans over the sections. Pure, so the drawing
 * and the keyboard moves are tested without a browser.
 */
export type SeatMapData = Schemas["SeatMap"];
type CabinData = Schemas["Cabin"];
type ElementData = Schemas["Element"];

export interface Price {
  amount: string;
  currency: string;
}

export type Position = "window" | "aisle" | "middle";

export interface Seat {
  kind: "seat";
  designator: string;
  row: number;
  letter: string;
  position: Position;
  extraLegroom: boolean;
  exitRow: boolean;
  bassinet: boolean;
  /** What each passenger allowed to sit here pays (passenger id → price); empty: taken. */
  prices: Record<string, Price>;
  disclosures: string[];
}

export type Cell = Seat | { kind: "empty" } | { kind: "aisle" };

export interface SeatRow {
  kind: "seats";
  number: number;
  exit: boolean;
  wing: boolean;
  cells: Cell[];
}

export type Facility = "galley" | "lavatory" | "bassinet" | "empty";

export interface FacilityRow {
  kind: "facilities";
  wing: boolean;
  /** Each section's facility, over `span` columns from column `start`. */
  items: { type: Facility; start: number; span: number }[];
}

export interface CabinLayout {
  cabinClass: CabinData["cabin_class"];
  /** The header: a seat letter per column, null for an aisle. */
  columns: (string | null)[];
  rows: (SeatRow | FacilityRow)[];
}

/** A seat the order already holds: its passenger and what it was paid (shown chosen, and
 * choosable again by that passenger even where the map shows it taken by the order itself). */
export interface HeldSeat {
  passengerId: string;
  price: Price;
}

const seatsOf = (elements: ElementData[]) => elements.filter((e) => e.type !== "exit_row");

/** The cabin as a grid; `held` (designator → holder) marks the order's own seats. */
export function layoutCabin(cabin: CabinData, held: Record<string, HeldSeat> = {}): CabinLayout {
  const seatRows = cabin.rows.filter((row) => row.sections.some((s) => s.elements.some((e) => e.type === "seat")));
  const sectionCount = Math.max(1, ...cabin.rows.map((row) => row.sections.length));
  const widths = Array.from({ length: sectionCount }, (_, index) =>
    Math.max(1, ...seatRows.map((row) => seatsOf(row.sections[index]?.elements ?? []).length)),
  );
  const starts = widths.map((_, index) => widths.slice(0, index).reduce((sum, w) => sum + w + 1, 0));
  const columns: (string | null)[] = [];
  widths.forEach((width, index) => {
    if (index > 0) columns.push(null);
    for (let k = 0; k < width; k += 1) columns.push(letterAt(seatRows, index, k));
  });
  const wings = cabin.wings;
  const rows = cabin.rows.map((row, index): SeatRow | FacilityRow => {
    const wing = wings !== null && index >= wings.first_row_index && index <= wings.last_row_index;
    const elements = row.sections.flatMap((s) => s.elements);
    if (!elements.some((e) => e.type === "seat")) {
      return {
        kind: "facilities",
        wing,
        items: row.sections.map((section, s) => ({
          type: facilityOf(section.elements[0]?.type),
          start: starts[s] ?? 0,
          span: widths[s] ?? 1,
        })),
      };
    }
    const cells: Cell[] = [];
    widths.forEach((width, s) => {
      if (s > 0) cells.push({ kind: "aisle" });
      const places = seatsOf(row.sections[s]?.elements ?? []);
      for (let k = 0; k < width; k += 1) {
        const place = places[k];
        cells.push(place?.type === "seat" && place.designator ? seatOf(place, place.designator, held) : { kind: "empty" });
      }
    });
    const first = cells.find((c): c is Seat => c.kind === "seat");
    return {
      kind: "seats",
      number: first?.row ?? 0,
      exit: elements.some((e) => e.type === "exit_row"),
      wing,
      cells,
    };
  });
  return { cabinClass: cabin.cabin_class, columns, rows };
}

function letterAt(rows: CabinData["rows"], section: number, index: number): string {
  for (const row of rows) {
    const designator = seatsOf(row.sections[section]?.elements ?? [])[index]?.designator;
    if (designator) return splitDesignator(designator).letter;
  }
  return "";
}

function facilityOf(type: ElementData["type"] | undefined): Facility {
  return type === "galley" || type === "lavatory" || type === "bassinet" ? type : "empty";
}

/** `14C` → row 14, letter C. */
export function splitDesignator(designator: string): { row: number; letter: string } {
  const match = /^(\d+)(\D*)$/.exec(designator);
  return match ? { row: Number(match[1]), letter: match[2] ?? "" } : { row: 0, letter: designator };
}

function seatOf(element: ElementData, designator: string, held: Record<string, HeldSeat>): Seat {
  const characteristics = element.characteristics ?? [];
  const prices: Record<string, Price> = {};
  for (const service of element.available_services ?? []) {
    prices[service.passenger_id] = { amount: service.total_amount, currency: service.total_currency };
  }
  const holder = held[designator];
  if (holder && !prices[holder.passengerId]) prices[holder.passengerId] = holder.price;
  const { row, letter } = splitDesignator(designator);
  return {
    kind: "seat",
    designator,
    row,
    letter,
    position: characteristics.includes("window") ? "window" : characteristics.includes("aisle") ? "aisle" : "middle",
    extraLegroom: characteristics.includes("extra_legroom"),
    exitRow: characteristics.includes("exit_row") || element.type === "exit_row",
    bassinet: characteristics.includes("bassinet"),
    prices,
    disclosures: element.disclosures ?? [],
  };
}

export type Move = "ArrowUp" | "ArrowDown" | "ArrowLeft" | "ArrowRight" | "Home" | "End";

/** The seat a key moves to from `designator` (aisles, gaps and facility rows are passed
 * over; at an edge it stays), or null when the key is not a move. */
export function moveFrom(layout: CabinLayout, designator: string, key: string): string | null {
  const grid = layout.rows.filter((r): r is SeatRow => r.kind === "seats");
  const r = grid.findIndex((row) => row.cells.some((c) => c.kind === "seat" && c.designator === designator));
  if (r < 0) return null;
  const cells = grid[r]?.cells ?? [];
  const c = cells.findIndex((cell) => cell.kind === "seat" && cell.designator === designator);
  const seatAt = (row: number, col: number) => {
    const cell = grid[row]?.cells[col];
    return cell?.kind === "seat" ? cell.designator : null;
  };
  const scan = (from: number, step: number, limit: number, at: (i: number) => string | null) => {
    for (let i = from + step; step > 0 ? i < limit : i >= 0; i += step) {
      const found = at(i);
      if (found) return found;
    }
    return designator;
  };
  switch (key) {
    case "ArrowLeft":
      return scan(c, -1, cells.length, (i) => seatAt(r, i));
    case "ArrowRight":
      return scan(c, 1, cells.length, (i) => seatAt(r, i));
    case "ArrowUp":
      return scan(r, -1, grid.length, (i) => seatAt(i, c));
    case "ArrowDown":
      return scan(r, 1, grid.length, (i) => seatAt(i, c));
    case "Home":
      return scan(-1, 1, cells.length, (i) => seatAt(r, i));
    case "End":
      return scan(cells.length, -1, cells.length, (i) => seatAt(r, i));
    default:
      return null;
  }
}

/** Every seat of the layout, front to back, left to right. */
export function seatsIn(layout: CabinLayout): Seat[] {
  return layout.rows.flatMap((row) => (row.kind === "seats" ? row.cells.filter((c): c is Seat => c.kind === "seat") : []));
}

/** The API's id of a flight on a date (connectors/seat_model.py `segment_id`): an order's
 * segment and its seat map meet on it. */
export function segmentIdOf(segment: { flight_number: string; origin: string; destination: string; departing_at: string }): string {
  const raw = `${segment.flight_number}:${segment.origin}${segment.destination}:${segment.departing_at.slice(0, 10)}`;
  return `seg_${btoa(raw).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "")}`;
}
