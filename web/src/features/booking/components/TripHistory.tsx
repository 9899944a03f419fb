import { useId } from "react";

import { SupportDetail } from "../../../components/SupportDetail";
import type { Order } from "../../../lib/api/client";
import { busyButton } from "../../../lib/attempt";
import { localMoment } from "../../../lib/format";
import { useOrderHistory } from "../api/history";
import { inTellingOrder, stepOf } from "../history";


/** The trip's history as a timeline: each change, when, who made it and why (oldest first). */
export function TripHistory({ order }: { order: Order }) {
  const heading = useId();
  const { data, error, refetch, isFetching } = useOrderHistory(order);
  return (
    <section className="conditions trip-history" aria-labelledby={heading}>
      <h2 id={heading}>Trip history</h2>
      {error ? (
        // Not "reload the page": a reload signs the traveler out (lib/session).
        <p role="alert">
          The trip&apos;s history cannot be shown just now.{" "}
          <button type="button" className="secondary" {...busyButton(isFetching)} onClick={() => void refetch()}>
            Try again
          </button>
        </p>
      ) : !data ? (
        <p role="status">Loading the trip&apos;s history…</p>
      ) : (
        <ol className="timeline">
          {inTellingOrder(data.data).map((item, index) => {
            const step = stepOf(item);
            return (
              <li key={`${item.at}-${index}`} className={`timeline-step ${step.tone}`}>
                <p className="timeline-title">{step.title}</p>
                <p className="timeline-meta">
                  <time dateTime={item.at}>{localMoment(item.at)}</time> · {step.by}
                </p>
                {step.reason && <p className="timeline-reason">{step.reason}</p>}
                {step.support && <SupportDetail label={step.support.label} text={step.support.text} />}
              </li>
            );
          })}
        </ol>
      )}
    </section>
  );
}
