import { useMutation } from "@tanstack/react-query";
import { useRef, useState } from "react";

import { Field } from "../../../components/Field";
import { ProblemNotice } from "../../../components/ProblemNotice";
import type { Order } from "../../../lib/api/client";
import { ApiProblem } from "../../../lib/api/settle";
import { localDate, momentTime } from "../../../lib/format";
import { type ChangeOffer, type ChangeOffers, searchChanges } from "../api/changes";
import { changeDateError } from "../dateError";
import { flownWords } from "../flown";
import { ChangeOfferCard, sliceLine } from "./ChangeOfferCard";
import { ConfirmChange } from "./ConfirmChange";
import { FlownNotice } from "./FlownNotice";

interface Props {
  order: Order;
  sliceIndex: number;
  onDone: (changed: ChangeOffer | null) => void;
}

const tomorrow = () => new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);

/** Another date or flight for one slice of a booked trip: search, compare what each costs
 * (fare difference, change fee, total to pay or refunded), confirm one. */
export default function ChangeFlight({ order, sliceIndex, onDone }: Props) {
  const slice = order.slices[sliceIndex];
  const [date, setDate] = useState(() => slice?.segments[0]?.departing_at.slice(0, 10) ?? tomorrow());
  const [chosen, setChosen] = useState<ChangeOffer | null>(null);
  const dateInput = useRef<HTMLInputElement>(null);
  const search = useMutation<ChangeOffers, ApiProblem, string>({
    mutationFn: (day) =>
      searchChanges(order.id, {
        slice_index: sliceIndex,
        origin: slice?.origin ?? "",
        destination: slice?.destination ?? "",
        departure_date: day,
      }),
    onMutate: () => setChosen(null),
    // A refused date takes the focus, its error read with it, as on every refused form (the
    // button pressed kept it, a Tab away from the field to fix).
    onError: (error) => {
      if (error.problem.errors?.some((e) => e.field === "departure_date")) dateInput.current?.focus();
    },
  });
  if (!slice) return <p role="alert">This trip has no such flight.</p>;
  const offers = search.data?.data ?? [];
  const dateError = changeDateError(search.error?.problem, order, sliceIndex, search.variables);
  const flown = flownWords(search.error?.problem, order, sliceIndex);

  return (
    <div className="change-flight">
      <h1>Change your flight</h1>
      <p>
        Now: <strong>{sliceLine(slice)}</strong>
      </p>
      <form
        className="flight-search"
        aria-label="Find another flight"
        onSubmit={(event) => {
          event.preventDefault();
          if (!search.isPending) search.mutate(date);
        }}
      >
        <Field id="change-date" label="New departure date" error={dateError}>
          {(aria) => (
            <input ref={dateInput} id="change-date" type="date" required min={tomorrow()} value={date} onChange={(e) => setDate(e.target.value)} {...aria} />
          )}
        </Field>
        <p className="actions">
          {/* aria-disabled, not disabled: a disabled button loses the focus (to <body>) */}
          <button type="submit" className="primary" aria-disabled={search.isPending || undefined}>
            Find flights
          </button>
          <button type="button" className="secondary" onClick={() => onDone(null)}>
            Keep my flight
          </button>
        </p>
      </form>
      {flown && <FlownNotice words={flown} />}
      {search.error && !dateError && !flown && <ProblemNotice problem={search.error.problem} doing="change" other={search.error.problem.errors ?? []} />}
      {chosen ? (
        <ConfirmChange
          order={order}
          offer={chosen}
          onChanged={onDone}
          onBack={() => setChosen(null)}
          onSearchAgain={() => search.mutate(date)}
        />
      ) : (
        // Not live itself (read out whole at each change: every offer again); its status line is,
        // always drawn so that its words are read out as they come.
        <section className="change-offers" aria-label="Change offers" aria-busy={search.isPending}>
          <p role="status">
            {search.isPending
              ? "Asking the airline…"
              : search.data &&
                (offers.length === 0
                  ? `No flights on ${localDate(date)}: try another day.`
                  : `${offers.length} flight${offers.length > 1 ? "s" : ""} on ${localDate(date)}; prices held until ${momentTime(offers[0]?.expires_at ?? "")}.`)}
          </p>
          {offers.length > 0 && (
            <ul className="change-list">
              {offers.map((offer) => (
                <ChangeOfferCard key={offer.id} offer={offer} onChoose={() => setChosen(offer)} />
              ))}
            </ul>
          )}
        </section>
      )}
    </div>
  );
}
