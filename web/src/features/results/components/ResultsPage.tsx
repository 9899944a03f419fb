import { useEffect, useMemo, useState } from "react";
import { Link, useNavigate, useSearchParams } from "react-router";

import { ProblemNotice } from "../../../components/ProblemNotice";
import { fieldErrors } from "../../../lib/problems";
import { rememberOffers, rememberResults } from "../../../lib/seenOffers";
import { fromParams, SearchForm, searchFieldFor, toParams, toRequest } from "../../search";
import { useSearchStream } from "../hooks/useSearchStream";
import { airlinesOf, applyFilters, DEFAULT_FILTERS, type Filters } from "../model";
import { AirlineStatus } from "./AirlineStatus";
import { FilterPanel } from "./FilterPanel";
import { OfferList } from "./OfferList";

/** The results of the search in the URL, drawn as each airline answers. */
export function ResultsPage() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const key = params.toString();
  const form = useMemo(() => fromParams(params), [key]); // the URL's text, not its object, decides
  const request = useMemo(() => (form ? toRequest(form) : null), [form]);
  const stream = useSearchStream(request, key);
  const [filters, setFilters] = useState<Filters>(DEFAULT_FILTERS);
  const shown = useMemo(() => applyFilters(stream.offers, filters), [stream.offers, filters]);
  const airlines = useMemo(() => airlinesOf(stream.offers), [stream.offers]);
  useEffect(() => rememberOffers(stream.offers), [stream.offers]);
  useEffect(() => rememberResults(`/results?${key}`), [key]);

  if (!form) {
    return (
      <p>
        No search yet. <Link to="/">Search flights</Link>
      </p>
    );
  }
  const errors = stream.problem ? fieldErrors(stream.problem, searchFieldFor(form.trip)) : null;
  const done = stream.meta !== null;
  const summary = done
    ? `${stream.offers.length} offer${stream.offers.length === 1 ? "" : "s"} found`
    : `Searching… ${stream.offers.length} offer${stream.offers.length === 1 ? "" : "s"} so far`;
  const route = form.trip === "multi-city"
    ? form.legs.map((leg) => leg.origin).concat(form.legs.at(-1)?.destination ?? "").join(" → ")
    : `${form.legs[0]?.origin} ${form.trip === "round-trip" ? "⇄" : "→"} ${form.legs[0]?.destination}`;

  return (
    <div className="results-page">
      <h1>{route}</h1>
      <details className="change-search" open={errors !== null}>
        <summary>Change search</summary>
        <SearchForm
          key={key}
          initial={form}
          errors={errors?.byField ?? {}}
          onSearch={(next) => navigate(`/results?${toParams(next)}`)}
        />
      </details>
      {stream.problem ? (
        <ProblemNotice problem={stream.problem} other={errors?.other ?? []} />
      ) : (
        <>
          <AirlineStatus answered={stream.answered} meta={stream.meta} />
          <FilterPanel filters={filters} airlines={airlines} onChange={setFilters} />
          <section aria-label="Results" aria-live="polite" aria-busy={!done}>
            <p className="results-summary" role="status">
              {summary}
              {shown.length !== stream.offers.length && ` (${shown.length} shown with your filters)`}
            </p>
            {done && stream.offers.length === 0 && (
              <p>No flights on this route and date. Try other dates or nearby airports.</p>
            )}
            <OfferList offers={shown} onSelect={(offer) => navigate(`/offers/${encodeURIComponent(offer.id)}`)} />
          </section>
        </>
      )}
    </div>
  );
}
