import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";

import { ProblemNotice } from "../../../components/ProblemNotice";
import type { Order } from "../../../lib/api/client";
import { busyButton } from "../../../lib/attempt";
import { useExpired } from "../../../lib/expiry";
import { momentTime, money } from "../../../lib/format";
import { type Cancellation, confirmCancellation, quoteCancellation } from "../api/cancellations";
import { surelyBegun } from "../amendable";
import { type BookingProblem, bookingKeys } from "../api/orders";

/** Cancel with a quote first: the refund, the penalty and how long the quote holds are said
 * before the traveler confirms; an expired quote is asked for again. */
export function CancelTrip({ order, now = new Date() }: { order: Order; now?: Date }) {
  const queryClient = useQueryClient();
  const [quote, setQuote] = useState<Cancellation | null>(null);
  const terms = useRef<HTMLDListElement>(null);
  const start = useRef<HTMLButtonElement>(null);
  const done = useRef<HTMLHeadingElement>(null);
  const kept = useRef(false); // "Keep the trip" was chosen: focus goes back to where it began
  // A new quote is read out and brought into view (on a phone it opens below the fold). The
  // buttons a quote ends with are removed once used: focus follows to what replaces them (it
  // fell to the page's body, and a screen reader to its top).
  useEffect(() => {
    if (quote?.status === "quoted") terms.current?.focus();
    else if (quote?.status === "confirmed") done.current?.focus();
    else if (quote === null && kept.current) start.current?.focus();
    kept.current = false;
  }, [quote]);
  // Refused at confirm: 410, the quote expired; 409, the order changed since (paid meanwhile).
  const [refused, setRefused] = useState<410 | 409 | null>(null);
  const expired = useExpired(quote?.status === "quoted" ? quote.expires_at : undefined) || refused !== null;
  const confirm = useMutation<Cancellation, BookingProblem, Cancellation>({
    mutationFn: (q) => confirmCancellation(order.id, q.id),
    onSuccess: (done) => {
      setQuote(done);
      queryClient.setQueryData(bookingKeys.order(order.id), done.order);
      void queryClient.invalidateQueries({ queryKey: ["orders"] });
    },
    onError: (error) => {
      const status = error.problem.status;
      // A 409 with `departed_at` is the trip having begun: no new quote helps, its words say so.
      if (status === 410 || (status === 409 && error.problem.departed_at === undefined)) setRefused(status);
    },
  });

  const ask = useMutation<Cancellation, BookingProblem>({
    mutationFn: () => quoteCancellation(order.id),
    onSuccess: (fresh) => {
      setRefused(null);
      confirm.reset(); // the refused confirmation belongs to the old quote
      setQuote(fresh);
    },
  });

  if (quote?.status === "confirmed") {
    return (
      <section className="conditions" aria-label="Cancel this trip">
        <h2 ref={done} tabIndex={-1}>
          Trip cancelled
        </h2>
        <p role="status">
          {Number(quote.refund_amount) <= 0
            ? "Nothing was charged, so there is nothing to refund."
            : order.payment_status === "refunded"
              ? `${money(quote.refund_amount, quote.refund_currency)} was refunded to your card.`
              : `${money(quote.refund_amount, quote.refund_currency)} is on its way back to your card.`}
        </p>
      </section>
    );
  }
  if (!["held", "confirmed"].includes(order.status)) return null;
  if (surelyBegun(order, now)) return <TripBegun />;
  const failure = ask.error ?? (confirm.error && refused === null ? confirm.error : null);
  // Refused because the first flight has left (`departed_at`): said in words, nothing offered.
  if (failure?.problem.departed_at !== undefined) {
    return (
      <section className="conditions" aria-label="Cancel this trip">
        <h2>Cancel this trip</h2>
        <ProblemNotice problem={failure.problem} doing="cancel" />
      </section>
    );
  }
  return (
    <section className="conditions" aria-label="Cancel this trip">
      <h2>Cancel this trip</h2>
      {failure && <ProblemNotice problem={failure.problem} doing="cancel" />}
      {quote && expired && (
        <div className="notice warning" role="alert">
          <p>
            <strong>
              {refused === 409 ? "Your trip changed since this quote." : "This cancellation quote has expired."}
            </strong>{" "}
            Refunds are quoted for a few minutes and for the trip as it is: ask for a new quote.
          </p>
        </div>
      )}
      {quote && !expired ? (
        <>
          <dl className="quote" ref={terms} tabIndex={-1} aria-label="Cancellation quote">
            <dt>Refund</dt>
            <dd>
              {Number(quote.refund_amount) > 0
                ? // A quote: nothing is refunded until the traveler says yes ("refunded" read as done).
                  `${money(quote.refund_amount, quote.refund_currency)} back to your card if you cancel`
                : "Nothing to refund: nothing was charged"}
            </dd>
            <dt>Kept by the airline</dt>
            <dd>{money(quote.penalty_amount, quote.penalty_currency)}</dd>
            <dt>Quote valid until</dt>
            <dd>{momentTime(quote.expires_at)}</dd>
          </dl>
          <p>The airline releases your seats.</p>
          <p className="actions">
            {/* Inert while the cancellation is sent, yet focusable (busyButton); Keep the trip
                too: hiding the quote would not stop the cancellation under way. */}
            <button type="button" className="primary" {...busyButton(confirm.isPending)} onClick={() => confirm.mutate(quote)}>
              Yes, cancel the trip
            </button>
            <button
              type="button"
              className="secondary"
              {...busyButton(confirm.isPending)}
              onClick={() => {
                kept.current = true;
                setQuote(null);
              }}
            >
              Keep the trip
            </button>
          </p>
        </>
      ) : (
        <button ref={start} type="button" className="secondary" {...busyButton(ask.isPending)} onClick={() => ask.mutate()}>
          {quote ? "Get a new quote" : "Cancel this trip…"}
        </button>
      )}
      {/* Always drawn, so its words are read out as they change: while the airline is asked,
          nothing else on the screen moves (the buttons only go inert). */}
      <p role="status" className="meta">
        {confirm.isPending ? "Cancelling your trip…" : ask.isPending ? "Getting your cancellation quote…" : ""}
      </p>
    </section>
  );
}

/** In place of "Cancel this trip…" once the first flight has surely left: the API refuses it
 * (booking/departures.py), and support settles what a flown or missed trip is owed. */
function TripBegun() {
  return (
    <section className="conditions" aria-label="Cancel this trip">
      <h2>Cancel this trip</h2>
      <p>
        Your trip has begun: its first flight has left, so it can no longer be cancelled or changed here. If a flight was
        missed, cancelled or disrupted, contact support under “Help with this trip” below.
      </p>
    </section>
  );
}
