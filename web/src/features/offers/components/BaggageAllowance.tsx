import { useId } from "react";

import type { Schemas } from "../../../lib/api/client";
import { type FlightBaggage, offerBaggage } from "../baggage";

interface Props {
  slices: Schemas["Slice"][];
  passengers: number;
}

/** The bags a booked trip includes: the API gives them per segment, the same for each
 * passenger; one line when every flight includes the same, else a line per flight. */
export function BaggageAllowance({ slices, passengers }: Props) {
  const heading = useId();
  const baggage = offerBaggage(slices);
  const reported = slices.some((slice) => slice.segments.some((segment) => segment.baggages != null));
  const whom = passengers === 1 ? "Included in your fare" : `Included for each of the ${passengers} passengers`;
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
