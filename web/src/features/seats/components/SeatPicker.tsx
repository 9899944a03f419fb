import { useState } from "react";

import { aircraftName } from "../../../lib/aircraft";
import { money } from "../../../lib/format";
import { flightName } from "../../../lib/route";
import type { OrderSeats, SeatMapsResponse } from "../api/seats";
import { changedServices, type Choices, choose, type SeatedPassenger, sumPrices } from "../choices";
import { type HeldSeat, layoutCabin, type Price, type SeatMapData, seatsIn } from "../layout";
import type { PreferredPosition } from "../preference";
import { SeatLegend } from "./SeatLegend";
import { SeatMap } from "./SeatMap";

interface Props {
  maps: SeatMapsResponse;
  passengers: SeatedPassenger[]; // the order's seated passengers (infants sit on a lap)
  held: OrderSeats | undefined; // the seats the order holds already
  choices: Choices;
  /** Where the signed-in traveler likes to sit (profile), marked on every map; null: nowhere. */
  preferred?: PreferredPosition | null;
  onChange: (choices: Choices) => void;
}

/** The order's seats as `Choices`, the starting point of the picker. */
export function heldChoices(held: OrderSeats | undefined): Choices {
  const choices: Choices = {};
  for (const seat of held?.seats ?? []) {
    choices[seat.segment_id] = { ...(choices[seat.segment_id] ?? {}), [seat.passenger_id]: seat.designator };
  }
  return choices;
}

function heldOn(held: OrderSeats | undefined, segment: string): Record<string, HeldSeat> {
  const out: Record<string, HeldSeat> = {};
  for (const seat of held?.seats ?? []) {
    if (seat.segment_id === segment) {
      out[seat.designator] = { passengerId: seat.passenger_id, price: { amount: seat.total_amount, currency: seat.total_currency } };
    }
  }
  return out;
}

/** The price of each chosen seat to its passenger, keyed `segment passenger`. */
function chosenPrices(maps: SeatMapsResponse, held: OrderSeats | undefined, choices: Choices): Map<string, Price> {
  const prices = new Map<string, Price>();
  for (const map of maps.seat_maps) {
    const seats = map.cabins.flatMap((cabin) => seatsIn(layoutCabin(cabin, heldOn(held, map.segment_id))));
    for (const [passenger, designator] of Object.entries(choices[map.segment_id] ?? {})) {
      const price = seats.find((s) => s.designator === designator)?.prices[passenger];
      if (price) prices.set(`${map.segment_id} ${passenger}`, price);
    }
  }
  return prices;
}

/** What the chosen seats cost together, or null while none is chosen. */
export function choicesTotal(maps: SeatMapsResponse, held: OrderSeats | undefined, choices: Choices): Price | null {
  const prices = [...chosenPrices(maps, held, choices).values()];
  return prices.length ? sumPrices(prices, prices[0]?.currency ?? "USD") : null;
}

/** What changing a paid trip's seats to `choices` charges: the new seats less the seats they
 * replace, never below zero (a cheaper seat refunds nothing: booking/seats.py `_difference`). */
export function changeDue(maps: SeatMapsResponse, held: OrderSeats, choices: Choices): Price {
  const prices = chosenPrices(maps, held, choices);
  const parts: Price[] = [];
  for (const service of changedServices(choices, heldChoices(held))) {
    const price = prices.get(`${service.segment_id} ${service.passenger_id}`);
    if (price) parts.push(price);
    const replaced = held.seats.find((s) => s.segment_id === service.segment_id && s.passenger_id === service.passenger_id);
    if (replaced) parts.push({ amount: `-${replaced.total_amount}`, currency: replaced.total_currency });
  }
  const due = sumPrices(parts, held.total_currency);
  return Number(due.amount) > 0 ? due : { amount: "0.00", currency: due.currency };
}

/** Every flight's seat map, one passenger choosing at a time. */
export function SeatPicker({ maps, passengers, held, choices, preferred = null, onChange }: Props) {
  return (
    <>
      <SeatLegend preferred={preferred} />
      {maps.seat_maps.map((map, index) => (
        <FlightSeats
          key={map.segment_id}
          map={map}
          number={index + 1}
          passengers={passengers}
          held={heldOn(held, map.segment_id)}
          seated={choices[map.segment_id] ?? {}}
          preferred={preferred}
          onChoose={(passenger, designator) => onChange(choose(choices, map.segment_id, passenger, designator))}
        />
      ))}
    </>
  );
}

interface FlightProps {
  map: SeatMapData;
  number: number;
  passengers: SeatedPassenger[];
  held: Record<string, HeldSeat>;
  seated: Record<string, string>;
  preferred: PreferredPosition | null;
  onChoose: (passenger: string, designator: string) => void;
}

function FlightSeats({ map, number, passengers, held, seated, preferred, onChoose }: FlightProps) {
  const [active, setActive] = useState(passengers[0]?.id ?? "pas_1");
  const headingId = `flight-${map.segment_id}`;
  // Which flight, in its heading (the section's name), its passengers' group and its grid: a
  // trip of several flights draws a map for each, and "LHR → JFK" alone told no day or flight.
  const title = flightName(map, [map.flight_number], map.departure_date);
  const prices = Object.fromEntries(
    map.cabins.flatMap((cabin) => seatsIn(layoutCabin(cabin, held))).map((s) => [s.designator, s.prices]),
  );
  // What the last press did, for a screen reader: the seat's button only changed its name, and
  // the radio of who chooses next moved without a word.
  const [said, setSaid] = useState("");
  const nameOf = (id: string) => passengers.find((p) => p.id === id)?.name ?? "this passenger";
  function chosen(designator: string) {
    onChoose(active, designator);
    if (seated[active] === designator) {
      setSaid(`Seat ${designator} is no longer chosen for ${nameOf(active)}.`);
      return;
    }
    // The next passenger without a seat on this flight chooses next.
    const next = passengers.find((p) => p.id !== active && !seated[p.id]);
    if (next) setActive(next.id);
    setSaid(`Seat ${designator} chosen for ${nameOf(active)}.${next ? ` Now choosing for ${next.name}.` : ""}`);
  }
  return (
    <section className="flight-seats card-section" aria-labelledby={headingId}>
      <h2 id={headingId}>
        Flight {number}: {title}
      </h2>
      {map.aircraft && <p className="meta">{aircraftName(map.aircraft)}</p>}
      <fieldset className="seat-passengers">
        <legend>Choosing a seat on {map.flight_number || `flight ${number}`} for</legend>
        {passengers.map((p) => {
          const designator = seated[p.id];
          const price = designator ? prices[designator]?.[p.id] : undefined;
          return (
            <label key={p.id} className="chip">
              <input type="radio" name={`who-${map.segment_id}`} checked={active === p.id} onChange={() => setActive(p.id)} />
              {p.name}: {designator ? `seat ${designator}` : "no seat yet"}
              {price && Number(price.amount) > 0 ? ` (${money(price.amount, price.currency)})` : ""}
            </label>
          );
        })}
      </fieldset>
      {map.cabins.map((cabin, index) => (
        <SeatMap
          key={index}
          layout={layoutCabin(cabin, held)}
          caption={`Seats on flight ${number}, ${title}: rows front to back, the arrow keys move between seats`}
          passenger={active}
          seated={seated}
          passengers={passengers}
          preferred={preferred}
          onChoose={chosen}
        />
      ))}
      <p className="visually-hidden" role="status">
        {said}
      </p>
      <ul className="disclosures meta">
        {map.disclosures.map((text) => (
          <li key={text}>{text}</li>
        ))}
      </ul>
    </section>
  );
}
