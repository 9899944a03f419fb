import { Link, useParams } from "react-router";

import { ProblemNotice } from "../../../components/ProblemNotice";
import { conditionWords } from "../../../lib/fareConditions";
import { money, travelerWords } from "../../../lib/format";
import { problemKind } from "../../../lib/problems";
import { tripRoute } from "../../../lib/route";
import { lastResults, seenOffer } from "../../../lib/seenOffers";
import { usePricedOffer } from "../api/offer";
import { INFANT_BAGGAGE, offerBaggage, seatedOnly } from "../baggage";
import { BaggageByFlight } from "./BaggageAllowance";
import { SliceDetails } from "./SliceDetails";

/** An offer's details, re-priced with its airline on open. */
export function OfferPage() {
  const { offerId = "" } = useParams();
  const { data: offer, error, isPending, refetch } = usePricedOffer(offerId);
  const before = seenOffer(offerId);
  // The results this tab searched last, not the browser's previous page: after signing in from
  // here that was the identity provider's form, and an offer opened from a shared link has none.
  const results = lastResults();
  const back = (
    <Link className="button secondary" to={results}>
      {results === "/" ? "Search flights" : "Back to results"}
    </Link>
  );

  if (isPending) {
    return (
      <p role="status" className="loading">
        Checking the price with the airline…
      </p>
    );
  }
  if (error) {
    const kind = problemKind(error.problem);
    const newPrice =
      kind === "conflict" && typeof error.problem.total_amount === "string"
        ? money(error.problem.total_amount, typeof error.problem.total_currency === "string" ? error.problem.total_currency : "")
        : null;
    return (
      <div className="offer-page">
        <h1>Offer details</h1>
        <ProblemNotice problem={error.problem} retry={() => void refetch()}>
          {newPrice && <p>The new price is {newPrice}.</p>}
        </ProblemNotice>
        <p className="actions">
          {results !== "/" && back} <Link to="/">Search again</Link>
        </p>
      </div>
    );
  }
  const oldTotal = before ? money(before.total_amount, before.total_currency) : null;
  const total = money(offer.total_amount, offer.total_currency);
  const baggage = offerBaggage(offer.slices);
  const reported = offer.slices.some((slice) => slice.segments.some((segment) => segment.baggages != null));
  return (
    <div className="offer-page">
      <h1>
        {tripRoute(offer.slices)} with {offer.owner.name}
      </h1>
      {offer.price_changed && (
        <div className="notice warning" role="alert">
          <p>
            <strong>The price changed</strong>
            {oldTotal ? ` from ${oldTotal}` : ""} to {total} when we checked with the airline.
          </p>
          <p>Continue at the new price, or go back to the results.</p>
        </div>
      )}
      <section className="price-box" aria-label="Price">
        <p className="price">{total}</p>
        <p className="price-note">
          {travelerWords(offer.passengers)}, taxes
          included ({money(offer.tax_amount, offer.total_currency)})
        </p>
        <p>
          Price confirmed with the airline just now.
          {offer.seats_remaining <= 9 &&
            ` Only ${offer.seats_remaining} seat${offer.seats_remaining === 1 ? "" : "s"} left at this price.`}
        </p>
      </section>
      {offer.slices.map((slice, index) => (
        <SliceDetails key={index} slice={slice} />
      ))}
      <section aria-label="Fare conditions" className="conditions">
        <h2>Fare conditions</h2>
        <ul>
          {conditionWords(offer.conditions).map((words) => (
            <li key={words}>{words}</li>
          ))}
          {baggage.length === 1 ? (
            <li>Baggage: {baggage[0]?.words}</li>
          ) : (
            <li>
              Baggage, by flight:
              <BaggageByFlight baggage={baggage} />
            </li>
          )}
        </ul>
        {reported &&
          (seatedOnly(offer.passengers) === null ? (
            <p className="meta">Baggage included for each passenger.</p>
          ) : (
            <>
              <p className="meta">Baggage included for each passenger with a seat.</p>
              <p className="meta">{INFANT_BAGGAGE}</p>
            </>
          ))}
      </section>
      <p className="actions">
        <Link className="button primary" to={`/book/${encodeURIComponent(offer.id)}`}>
          Continue to passengers
        </Link>
        {back}
      </p>
    </div>
  );
}
