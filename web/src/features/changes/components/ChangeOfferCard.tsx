import type { Schemas } from "../../../lib/api/client";
import { dayShift, duration, durationMinutes, localDate, localTime, money } from "../../../lib/format";
import type { ChangeOffer } from "../api/changes";

/** `+$120.00` / `−$40.00`: a difference always shows its sign. */
export function signed(amount: string, currency: string): string {
  const value = Number(amount);
  if (value === 0) return money("0", currency);
  return `${value > 0 ? "+" : "−"}${money(String(Math.abs(value)), currency)}`;
}

/** What confirming moves now: charged (> 0), refunded (< 0), or nothing. */
export function dueNow(offer: ChangeOffer): string {
  const value = Number(offer.change_total_amount);
  const amount = money(String(Math.abs(value)), offer.change_total_currency);
  if (value > 0) return `${amount} to pay now`;
  if (value < 0) return `${amount} refunded to your card`;
  return "Nothing to pay";
}

/** `08:25 LHR → 11:30 JFK, Tue 20 Jan · non-stop · SF 101`; `23:00 LHR → 01:55 +1 JFK` when it
 * lands on a later day (the date is the departure's, so without it the arrival read as before it). */
export function sliceLine(slice: Schemas["Slice"]): string {
  const first = slice.segments[0];
  const last = slice.segments[slice.segments.length - 1];
  if (!first || !last) return `${slice.origin} → ${slice.destination}`;
  const stops = slice.segments.length - 1;
  return [
    `${localTime(first.departing_at)} ${first.origin} → ${localTime(last.arriving_at)}${dayShift(first.departing_at, last.arriving_at)} ${last.destination}, ${localDate(first.departing_at)}`,
    stops === 0 ? "non-stop" : `${stops} stop${stops > 1 ? "s" : ""}`,
    duration(durationMinutes(slice.duration)),
    slice.segments.map((s) => s.flight_number).join(", "),
  ].join(" · ");
}

/** The money of a change offer, as a definition list. */
export function ChangeTerms({ offer }: { offer: ChangeOffer }) {
  return (
    <dl className="quote">
      <dt>Fare difference</dt>
      <dd>{signed(offer.fare_difference_amount, offer.fare_difference_currency)}</dd>
      <dt>Change fee</dt>
      <dd>{money(offer.penalty_total_amount, offer.penalty_total_currency)}</dd>
      <dt>Total</dt>
      <dd>
        <strong>{dueNow(offer)}</strong>
      </dd>
      <dt>New trip total</dt>
      <dd>{money(offer.new_total_amount, offer.new_total_currency)}</dd>
    </dl>
  );
}

/** One way to fly the slice instead, with what it costs; `Choose` opens its confirmation. Each
 * Choose is named for its flight (a screen reader's list of buttons otherwise says "Choose" once
 * per offer), starting with the word shown, as the results' Select. */
export function ChangeOfferCard({ offer, onChoose }: { offer: ChangeOffer; onChoose: () => void }) {
  const line = sliceLine(offer.slice);
  return (
    <li className="change-offer" aria-label={line}>
      <p className="times">{line}</p>
      <ChangeTerms offer={offer} />
      <button type="button" className="secondary" aria-label={`Choose ${line}`} onClick={onChoose}>
        Choose
      </button>
    </li>
  );
}
