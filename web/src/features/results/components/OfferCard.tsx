import { useId } from "react";

import type { Offer } from "../../../lib/api/client";
import { conditionWords } from "../../../lib/fareConditions";
import { dayShift, duration, durationMinutes, localTime, money, travelerWords } from "../../../lib/format";
import { selectOfferName } from "../offerName";

const ELEMENT_TIMING = { elementtiming: "offer-price" };

interface Props {
  offer: Offer;
  onSelect: (offer: Offer) => void;
}

/** One offer in the results: each slice's times, duration and stops, the price, and Select. */
export function OfferCard({ offer, onSelect }: Props) {
  const { adults = 1, children = 0, infants = 0 } = offer.passengers;
  const travelers = adults + children + infants;
  const conditionsId = useId();
  return (
    <article className="offer-card" aria-label={`${offer.owner.name}, ${money(offer.total_amount, offer.total_currency)}`}>
      <div className="offer-slices">
        {offer.slices.map((slice, index) => {
          const first = slice.segments[0];
          const last = slice.segments[slice.segments.length - 1];
          const stops = slice.segments.length - 1;
          return (
            <div key={index} className="offer-slice">
              <span className="times">
                {first && localTime(first.departing_at)} {slice.origin} → {last && localTime(last.arriving_at)}
                {first && last && dayShift(first.departing_at, last.arriving_at)} {slice.destination}
              </span>
              <span className="meta">
                {duration(durationMinutes(slice.duration))} ·{" "}
                {stops === 0 ? "non-stop" : `${stops} stop${stops > 1 ? "s" : ""} (${slice.segments
                  .slice(0, -1)
                  .map((s) => s.destination)
                  .join(", ")})`}
              </span>
            </div>
          );
        })}
        {/* The fare's conditions on the card, not first on the offer's page: one that cannot be
            changed or refunded is a reason to choose another. Beside the seller: no line more.
            Select is described by them: its name says which offer, they say what kind of fare. */}
        <span className="airline-name">
          {offer.owner.name} · <span id={conditionsId}>{conditionWords(offer.conditions).join(" · ")}</span>
        </span>
      </div>
      <div className="offer-price">
        {/* Element Timing names this text's first paint (bench/web_paint.py reads it) */}
        <span className="price-total">
          <span className="price" {...ELEMENT_TIMING}>
            {money(offer.total_amount, offer.total_currency)}
          </span>
          {/* the total for everyone: without it a family's price reads as one person's */}
          {travelers > 1 && <span className="price-note">total for {travelerWords(offer.passengers)}</span>}
        </span>
        <button
          type="button"
          className="primary"
          aria-label={selectOfferName(offer)}
          aria-describedby={conditionsId}
          onClick={() => onSelect(offer)}
        >
          Select
        </button>
      </div>
    </article>
  );
}
