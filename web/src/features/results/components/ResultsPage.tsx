import { memo, useCallback, useEffect, useMemo, useRef, useState } from "react";
import { Link, useLocation, useNavigate, useSearchParams } from "react-router";

import { ProblemNotice } from "../../../components/ProblemNotice";
import { useAfterRender } from "../../../lib/afterRender";
import { focusFirstInvalid } from "../../../lib/focusInvalid";
import { focusHeading } from "../../../lib/headingFocus";
import { fieldErrors } from "../../../lib/problems";
import { tripRoute } from "../../../lib/route";
import { rememberOffers, rememberResults } from "../../../lib/seenOffers";
import type { Offer } from "../../../lib/api/client";
import {
  fromParams,
  SearchForm,
  searchFieldFor,
  searchLine,
  searchProblem,
  toRequest,
  useSearchWasSent,
  useSendSearch,
} from "../../search";
import { useSearchStream } from "../hooks/useSearchStream";
import { airlinesOf, applyFilters, DEFAULT_FILTERS, type Filters, noOffersSentence, routeOf, withoutFilters } from "../model";
import { AirlineStatus } from "./AirlineStatus";
import { FilterPanel } from "./FilterPanel";
import { FiltersOn } from "./FiltersOn";
import { OfferList } from "./OfferList";

// Drawn once per search, not again for each airline's line (the results page re-renders then).
const StableSearchForm = memo(SearchForm);
const NO_ERRORS: Record<string, string> = {};

/** The results of the search in the URL, drawn as each airline answers. */
export function ResultsPage() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const key = params.toString();
  // The URL's text, not its object, decides: the same search is not started again.
  const form = useMemo(() => fromParams(new URLSearchParams(key)), [key]);
  const request = useMemo(() => (form ? toRequest(form) : null), [form]);
  const stream = useSearchStream(request);
  // Filters belong to a route: a search of another one starts without them (model `withoutFilters`).
  const searchedRoute = routeOf(request?.slices ?? []);
  const [filtered, setFiltered] = useState({ route: searchedRoute, filters: DEFAULT_FILTERS });
  if (filtered.route !== searchedRoute) setFiltered({ route: searchedRoute, filters: withoutFilters(filtered.filters) });
  const { filters } = filtered;
  const setFilters = useCallback(
    (change: Filters | ((f: Filters) => Filters)) =>
      setFiltered((f) => ({ ...f, filters: typeof change === "function" ? change(f.filters) : change })),
    [],
  );
  const shown = useMemo(() => applyFilters(stream.offers, filters), [stream.offers, filters]);
  const airlines = useMemo(() => airlinesOf(stream.offers), [stream.offers]);
  useEffect(() => rememberOffers(stream.offers), [stream.offers]);
  useEffect(() => rememberResults(`/results?${key}`), [key]);
  const search = useSendSearch();
  const select = useCallback((offer: Offer) => void navigate(`/offers/${encodeURIComponent(offer.id)}`), [navigate]);
  const errors = useMemo(
    () =>
      stream.problem && form
        ? fieldErrors(searchProblem(stream.problem, form.trip), searchFieldFor(form.trip), request)
        : null,
    [stream.problem, form, request],
  );
  // Refused (the API's answer comes after the Layout focused the heading): when the traveler
  // sent this search from the form here, the refused field takes the focus, as on every refused
  // form, a Tab from the heading; a link opened (nothing sent here) starts at the top like any
  // page. The form is drawn anew for each search, so the Search pressed is gone either way.
  const sent = useSearchWasSent();
  const change = useRef<HTMLDetailsElement>(null);
  // A new search sent from "Change search" here stays on this screen (the Layout moves focus on a
  // new path only) and draws its form anew: the Search pressed was gone, focus fell to the page's
  // body, and the form stayed open above the new results. The new results start like a screen:
  // the form folded, focus on the heading; once per search sent (a refusal then takes the focus
  // to its field, below).
  const page = useRef<HTMLDivElement>(null);
  const visit = useLocation().key;
  const started = useRef(visit);
  useEffect(() => {
    if (visit === started.current) return;
    started.current = visit;
    if (!sent || errors) return;
    if (change.current) change.current.open = false;
    focusHeading(page.current);
  }, [visit, sent, errors]);
  useEffect(() => {
    if (sent && errors) focusFirstInvalid(change.current);
  }, [sent, errors]);

  // The button pressed goes with the sentence: the first offer shown again takes the focus.
  const results = useRef<HTMLElement>(null);
  const afterRender = useAfterRender();
  const showAll = () => {
    afterRender(() => results.current?.querySelector<HTMLElement>(".offer-card button")?.focus());
    setFilters(withoutFilters);
  };

  if (!form) {
    // Headed like every screen: the tab's title and a screen reader's first stop come from its h1.
    return (
      <div>
        <h1>No search yet</h1>
        <p>
          <Link to="/">Search flights</Link> to see offers here.
        </p>
      </div>
    );
  }
  const done = stream.meta !== null;
  const summary = done
    ? `${stream.offers.length} offer${stream.offers.length === 1 ? "" : "s"} found`
    : `Searching… ${stream.offers.length} offer${stream.offers.length === 1 ? "" : "s"} so far`;
  const route = tripRoute(request?.slices ?? []);

  return (
    <div className="results-page" ref={page}>
      <h1>{route}</h1>
      {/* The days, who and the cabin: else only "Change search" said what was searched. */}
      <p className="meta">{searchLine(form)}</p>
      {/* above the form it opens: the notice points to "the fields marked below" */}
      {stream.problem && <ProblemNotice problem={stream.problem} other={errors?.other ?? []} />}
      <details ref={change} className="change-search" open={errors !== null}>
        <summary>Change search</summary>
        <StableSearchForm key={key} initial={form} errors={errors?.byField ?? NO_ERRORS} onSearch={search} />
      </details>
      {!stream.problem && (
        <>
          <AirlineStatus answered={stream.answered} meta={stream.meta} />
          <FilterPanel filters={filters} airlines={airlines} onChange={setFilters} />
          <section aria-label="Results" aria-busy={!done} ref={results}>
            <p className="results-summary" role="status">
              {summary}
              {shown.length !== stream.offers.length && ` (${shown.length} shown with your filters)`}
            </p>
            {/* Beside the offers it hides; when it hides them all, the sentence below says so. */}
            {(shown.length > 0 || stream.offers.length === 0) && (
              <FiltersOn filters={filters} airlines={airlines} onClear={showAll} />
            )}
            {stream.meta && stream.offers.length === 0 && <p>{noOffersSentence(stream.meta)}</p>}
            {/* Filters that hide every offer left "(0 shown with your filters)" over nothing, the
                filters themselves folded away: say so, and the way back in one press. */}
            {stream.offers.length > 0 && shown.length === 0 && (
              <p>
                No offer matches your filters.{" "}
                <button type="button" className="link-button" onClick={showAll}>
                  Show all {stream.offers.length} offers
                </button>
              </p>
            )}
            <OfferList offers={shown} onSelect={select} />
          </section>
        </>
      )}
    </div>
  );
}
