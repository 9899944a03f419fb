import { useEffect, useMemo, useRef, useState } from "react";

import { CardChoice, DEFAULT_CARD } from "../../../components/CardChoice";
import { ProblemNotice } from "../../../components/ProblemNotice";
import type { Order } from "../../../lib/api/client";
import { useAttempt } from "../../../lib/attempt";
import { clock, useExpired } from "../../../lib/expiry";
import { sentence } from "../../../lib/format";
import type { Problem } from "../../../lib/problems";
import { type ChangeOffer, confirmChange } from "../api/changes";
import { ChangeTerms, sliceLine } from "./ChangeOfferCard";

interface Props {
  order: Order;
  offer: ChangeOffer;
  onChanged: (done: ChangeOffer) => void;
  onBack: () => void;
  onSearchAgain: () => void;
}

/** The chosen change offer said once more, the card to charge when money moves, and Confirm.
 * Refused: 410 (expired) or 409 (the airline, the card or the trip said no: nothing changed)
 * lead to a new search. */
export function ConfirmChange({ order, offer, onChanged, onBack, onSearchAgain }: Props) {
  const [card, setCard] = useState(DEFAULT_CARD);
  // One key per offer chosen: a retry of the same confirmation is never a second change.
  const key = useMemo(() => crypto.randomUUID(), []);
  const { problem, busy, attempt } = useAttempt();
  const expired = useExpired(offer.expires_at) || problem?.status === 410;
  const refused = problem?.status === 409;
  const charges = order.payment_status === "paid" && Number(offer.change_total_amount) > 0;
  const summary = useRef<HTMLElement>(null);
  useEffect(() => summary.current?.focus(), []);

  const confirm = () =>
    attempt(async () => {
      onChanged(await confirmChange(order.id, offer.id, key, charges ? card : null));
    });

  return (
    <section className="conditions" aria-label="Confirm the change" ref={summary} tabIndex={-1}>
      <h2>Fly {sliceLine(offer.slice)} instead</h2>
      {expired && (
        <div className="notice warning" role="alert">
          <p>
            <strong>These change offers have expired.</strong> Prices are held for a few minutes: search again for
            current ones. Your trip has not changed.
          </p>
        </div>
      )}
      {refused && problem && <Refusal problem={problem} />}
      {problem && !expired && !refused && <ProblemNotice problem={problem} other={problem.errors ?? []} />}
      <ChangeTerms offer={offer} />
      {!expired && !refused && <p className="price-note">Price held until {clock(offer.expires_at)}.</p>}
      {charges && !expired && !refused && <CardChoice legend="Pay the change with" card={card} onChange={setCard} />}
      <p className="actions">
        {expired || refused ? (
          <button type="button" className="primary" onClick={onSearchAgain}>
            Search again
          </button>
        ) : (
          <button type="button" className="primary" disabled={busy} onClick={() => void confirm()}>
            Confirm change
          </button>
        )}
        <button type="button" className="secondary" disabled={busy} onClick={onBack}>
          Back to the flights
        </button>
      </p>
    </section>
  );
}

/** A 409 in the API's words (the card was declined, the flight sold out, the trip changed). */
function Refusal({ problem }: { problem: Problem }) {
  const detail = typeof problem.detail === "string" ? problem.detail : "";
  return (
    <div className="notice error" role="alert">
      <p>
        <strong>Your flight was not changed.</strong> Your trip keeps its flights and nothing was charged.
      </p>
      {detail && <p>{sentence(detail)}</p>}
      <p>Search again for current flights and prices.</p>
    </div>
  );
}
