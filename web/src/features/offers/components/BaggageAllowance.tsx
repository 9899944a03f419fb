import { useId } from "react";

import type { Schemas } from "../../../lib/api/client";
import { type FlightBaggage, INFANT_BAGGAGE, offerBaggage, type PassengerMix, seatedOnly } from "../baggage";

interface Props {
  slices: Schemas["Slice"][];
  passengers: PassengerMix;
}

function included(passengers: PassengerMix): string {
  const seated = seatedOnly(passengers);
  if (seated !== null) return seated === 1 ? "Included for the passenger with a seat" : `Included for each of the ${seated} passengers with a seat`;
  const { adults = 1, children = 0 } = passengers;
  return adults + children === 1 ? "Included in your fare" : `Included for each of the ${adults + children} passengers`;
}

/** The bags a booked trip includes: the API gives them per segment, the same for each
 * passenger with a seat; one line when every flight includes the same, else a line per flight,
 * and what is known of an infant's (lap) bags. */
export function BaggageAllowance({ slices, passengers }: Props) {
  const heading = useId();
  const baggage = offerBaggage(slices);
  const reported = slices.some((slice) => slice.segments.some((segment) => segment.baggages != null));
  const whom = included(passengers);
  return (
    <section className="conditions" aria-labelledby={heading}>
      <h2 id={heading}>Baggage</h2>
      {!reported ? (
        <p>The airline has not told us which bags are included: check with it before you fly.</p>
      ) : baggage.length === 1 ? (
        <p>
          {whom}: {baggage[0]?.words}
        </p>
      ) : (
        <>
          <p>{whom}, by flight:</p>
          <BaggageByFlight baggage={baggage} />
        </>
      )}
      {reported && seatedOnly(passengers) !== null && <p>{INFANT_BAGGAGE}</p>}
    </section>
  );
}

/** A line per flight: "BA117 LHR → JFK: 1 checked bag, 23 kg" (the offer page's too). */
export function BaggageByFlight({ baggage }: { baggage: FlightBaggage[] }) {
  return (
    <ul>
      {baggage.map((b) => (
        <li key={b.flight}>
          {b.flight}: {b.words}
        </li>
      ))}
    </ul>
  );
}
