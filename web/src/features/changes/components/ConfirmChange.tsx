import { useEffect, useMemo, useRef, useState } from "react";

import { CardChoice, DEFAULT_CARD } from "../../../components/CardChoice";
import { ProblemNotice } from "../../../components/ProblemNotice";
import type { Order } from "../../../lib/api/client";
import { busyButton, useAttempt } from "../../../lib/attempt";
import { useExpired } from "../../../lib/expiry";
import { momentTime, money } from "../../../lib/format";
import { BankCheck } from "../../booking";
import { AT_THE_BANK, type ChangeOffer, confirmChange, unanswered, useChangeOffer } from "../api/changes";
import { flownWords } from "../flown";
import { seatsReleased } from "../released";
import { ChangeRefusal } from "./ChangeRefusal";
import { ChangeTerms, sliceLine } from "./ChangeOfferCard";
import { FlownNotice } from "./FlownNotice";
import { GiveUpChange } from "./GiveUpChange";

interface Props {
  order: Order;
  offer: ChangeOffer;
  onChanged: (done: ChangeOffer) => void;
  onBack: () => void;
  onSearchAgain: () => void;
}

/** What the screen says once the traveler closed their bank's page before confirming the charge. */
const BANK_LEFT =
  "You closed your bank’s page before confirming, so your flight change is not done and nothing has been charged. Confirm with your bank to finish it.";

/** The chosen change offer said once more, the card to charge when money moves, and Confirm.
 * Refused: 410 (expired) or 409 (the airline, the card or the trip said no, in words by its
 * fields: lib/changeFailures) lead to a new search. A card whose bank asks the traveler to
 * confirm the charge (3-D Secure: a 202) shows the bank's page in a dialog (BankCheck), the
 * change still not done; once the page sends its frame back, the same confirmation (same key)
 * is sent again: done, declined (said as any declined card), or still waiting at the bank. With
 * the bank's page closed, the change may be given up instead (GiveUpChange): back to the trip. */
export function ConfirmChange({ order, offer, onChanged, onBack, onSearchAgain }: Props) {
  const [card, setCard] = useState(DEFAULT_CARD);
  // One key per offer chosen: a retry of the same confirmation is never a second change.
  const key = useMemo(() => crypto.randomUUID(), []);
  const { problem: answer, busy, attempt } = useAttempt();
  // The card's bank holds the change (a 202): its page, and whether the traveler closed it.
  const bank = answer?.type === AT_THE_BANK ? String(answer.url) : null;
  const [bankClosed, setBankClosed] = useState(false);
  const problem = bank === null ? answer : null;
  // An offer confirmed at the bank is no longer quoted: its price holds past `expires_at`.
  const expired = (useExpired(offer.expires_at) && bank === null) || problem?.status === 410;

  const charges = order.payment_status === "paid" && Number(offer.change_total_amount) > 0;
  const released = seatsReleased(order, offer.slice_index);
  const summary = useRef<HTMLElement>(null);
  useEffect(() => summary.current?.focus(), []);

  // No answer (503, offline): the change may be under way. It is followed until it ends.
  const notHeard = unanswered(problem);
  const followed = useChangeOffer(order.id, offer.id, notHeard).data;
  const ended = followed && notHeard ? followed : null;
  // Another confirmation of the order at it (`in_progress`) is no refusal: confirming again is safe.
  const inProgress = problem?.status === 409 && problem.in_progress === true;
  const refused = (problem?.status === 409 && !inProgress) || ended?.status === "failed";
  // The flight left since the offer: no search again helps (the API refuses the slice now).
  const flown = flownWords(problem ?? undefined, order, offer.slice_index);
  const told = useRef(false); // the trip's page is told once
  useEffect(() => {
    if (ended?.status !== "confirmed" || told.current) return;
    told.current = true;
    onChanged(ended);
  }, [ended, onChanged]);

  const confirm = () =>
    attempt(async () => {
      onChanged(await confirmChange(order.id, offer.id, key, charges ? card : null));
    });
  const atTheBank = bank !== null;

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
      {flown && <FlownNotice words={flown} />}
      {(refused || inProgress) && problem && !flown && (
        <ChangeRefusal
          problem={
            ended?.status === "failed"
              ? { ...problem, detail: ended.failure_reason ?? undefined, decline_code: ended.decline_code, failure_code: ended.failure_code }
              : problem
          }
          amount={charges ? money(offer.change_total_amount, offer.change_total_currency) : null}
        />
      )}
      {ended?.status === "confirming" && (
        <p className="notice" role="status">
          Your change is being confirmed with the airline: this page shows it once it is done.
        </p>
      )}
      {notHeard && !ended && !expired && (
        <p className="notice warning" role="status">
          <strong>We have not heard back about your change yet.</strong> It may already be made. We keep checking
          and show it here once it is known. Confirming again is safe: it never changes your flight twice.
        </p>
      )}
      {problem && !notHeard && !expired && !refused && !inProgress && !flown && <ProblemNotice problem={problem} doing="change" other={problem.errors ?? []} />}
      <ChangeTerms offer={offer} />
      {!expired && !refused && !atTheBank && <p className="price-note">Price held until {momentTime(offer.expires_at)}.</p>}
      {released && !expired && !refused && (
        <p>Your seats on this flight ({released}) are released with it: choose new ones once it is changed.</p>
      )}
      {atTheBank && (
        <BankCheck
          url={bank}
          closed={bankClosed}
          onClosedChange={setBankClosed}
          onAnswered={() => void confirm()}
          gaveUp={BANK_LEFT}
          reopen="Confirm with your bank"
        >
          {/* Given up (or confirmed at the bank first): the trip, read anew, says how it ended. */}
          <GiveUpChange orderId={order.id} offerId={offer.id} onEnded={onChanged} />
        </BankCheck>
      )}
      {charges && !expired && !refused && !atTheBank && <CardChoice legend="Pay the change with" card={card} onChange={setCard} threeDSecure />}
      <p className="actions">
        {flown || atTheBank ? null : expired || refused ? (
          <button type="button" className="primary" onClick={onSearchAgain}>
            Search again
          </button>
        ) : (
          <button type="button" className="primary" {...busyButton(busy || ended?.status === "confirming")} onClick={() => void confirm()}>
            Confirm change
          </button>
        )}
        {/* Not while the bank holds this change: no other can be confirmed until it ends (the
            trip, by Keep my flight, offers its bank's page again). */}
        {!atTheBank && (
          <button type="button" className="secondary" {...busyButton(busy)} onClick={onBack}>
            Back to the flights
          </button>
        )}
      </p>
    </section>
  );
}
