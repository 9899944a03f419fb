import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";

import { SupportDetail } from "../../../components/SupportDetail";
import { bankPage } from "../../../lib/bankWait";
import { decline, declineSentence } from "../../../lib/declines";
import { focusInView } from "../../../lib/focusInView";
import { money } from "../../../lib/format";
import { charging, type OrderSeats, type SeatCharge, seatKeys, useOrderSeats } from "../../seats";
import { bookingKeys } from "../api/orders";
import { BankCheck } from "./BankCheck";

const CANCELED_AT_THE_BANK = (amount: string) =>
  `Your bank’s confirmation did not come in time, so the seat change was canceled and the ${amount} was not charged. Your seats did not change.`;

const OUTCOME: Record<SeatCharge["status"], (amount: string, charge: SeatCharge) => string> = {
  processing: (amount) => `Charging ${amount} to your card for your new seats…`,
  refunding: (amount) => `The seat was taken meanwhile: refunding ${amount} to your card…`,
  succeeded: (amount) => `Your new seats are confirmed: ${amount} was charged to your card.`,
  failed: (amount, charge) => {
    // Ours (payment/seat_charges.py): left waiting for the bank's confirmation too long, canceled
    // at the gateway. The order payment's words ("Pay now…") do not fit a seat change.
    if (charge.decline_code === "canceled") return `${CANCELED_AT_THE_BANK(amount)} Choose your seats again to try once more.`;
    const why = decline(charge.decline_code);
    return `${declineSentence(why, amount)} Your seats did not change. ${why.next}`;
  },
  refunded: (amount) => `The seat was taken meanwhile, so your seats did not change: ${amount} was refunded to your card.`,
};

/** Whether the seats a charge bought are gone from the trip: a flight change released them, or
 * another seat was chosen since. "Your new seats are confirmed" under "No seats chosen" said the
 * opposite of the list above it. A charge naming no seats is kept (nothing to tell by). */
export function seatsGoneSince(charge: SeatCharge, held: OrderSeats["seats"]): boolean {
  if (charge.status !== "succeeded" || charge.seats.length === 0) return false;
  return !charge.seats.every((bought) =>
    held.some(
      (seat) =>
        seat.segment_id === bought.segment_id && seat.passenger_id === bought.passenger_id && seat.designator === bought.designator,
    ),
  );
}

// The seat change's charge waits for the traveler's answer on their bank's page (3-D Secure).
const AT_THE_BANK = (amount: string) => `Your bank asks you to confirm the ${amount} for your new seats.`;
/** What the trip says while the charge waits for the bank and its page is not shown: `shown`, the
 * traveler closed it here; else they came back later (a reload, My trips, another device). */
function seatsLeft(shown: boolean): string {
  const why = shown ? "You closed your bank’s page before confirming" : "Your bank has not confirmed this seat change yet";
  return `${why}, so your seat change is not done and nothing has been charged. Confirm with your bank to finish it.`;
}

/** The last paid seat change of a booked trip, followed until the card gateway settles it.
 * `bank`: the page of the card's bank asking the traveler to confirm the charge just made (3-D
 * Secure), shown in a dialog (BankCheck) while that charge is `processing`; once it is settled
 * the dialog goes and the notice says the outcome, as for any card. Without it (the trip
 * reloaded, or opened later), a charge that still waits for the bank says so by its
 * `next_action`: BankCheck closed, its button opens the bank's page, not "Charging…". */
export function SeatChargeNotice({ orderId, bank = null }: { orderId: string; bank?: string | null }) {
  const queryClient = useQueryClient();
  const seats = useOrderSeats(orderId).data;
  const charge = seats?.seat_charge;
  // The bank's page is not shown: the traveler closed it, or came back later (no `bank` given:
  // the charge's own `next_action` names it, closed until asked for). The notice says so, not
  // "Charging".
  const [bankClosed, setBankClosed] = useState(bank === null);
  // A charge seen to settle here, or settled already when first seen after the one this page
  // showed before (the gateway can settle it before the page asks again): the order's seats and
  // history moved too. The seats are written on the history as the charge settles, and the
  // order's `updated_at` stays as it was, so nothing else asks the history again. What the page
  // found on opening is taken as it is.
  const shown = charge ? `${charge.id}:${charge.status}` : "";
  const seen = useRef<string | null>(seats ? shown : null);
  const settled = charge !== null && charge !== undefined && !charging(charge);
  useEffect(() => {
    if (seats === undefined) return;
    if (seen.current !== null && seen.current !== shown && settled) {
      void queryClient.invalidateQueries({ queryKey: bookingKeys.order(orderId) });
      void queryClient.invalidateQueries({ queryKey: bookingKeys.history(orderId) });
    }
    seen.current = shown;
  }, [seats, shown, settled, orderId, queryClient]);
  const page = charge ? (bank ?? bankPage(charge.next_action?.url)) : null;
  const atTheBank = page !== null && charge?.status === "processing";
  // The charge moved on from the bank: its dialog went (the bank answered in it), handing the
  // focus to the trip's heading, which stays "Your trip is booked", far above the outcome (below
  // a phone's fold); or its closed line went with the focus on it, which fell to the page's body.
  // The outcome takes the focus, in view, as the line of a dialog closed does. Focus the traveler
  // put elsewhere stays.
  const outcome = useRef<HTMLDivElement>(null);
  const before = useRef<"dialog" | "line" | null>(null); // the bank's part at the last render
  useEffect(() => {
    const lost = document.activeElement === null || document.activeElement === document.body;
    if (!atTheBank && (before.current === "dialog" || (before.current === "line" && lost))) focusInView(outcome.current);
    before.current = atTheBank ? (bankClosed ? "line" : "dialog") : null;
  });
  if (!charge || seatsGoneSince(charge, seats?.seats ?? [])) return null;
  const amount = money(charge.amount, charge.currency);
  const failed = charge.status === "failed";
  return (
    <>
      {/* Closed: BankCheck's own line says where the seat change stands. */}
      {!(atTheBank && bankClosed) && (
        <div className={failed ? "notice warning" : "notice"} role="status" ref={outcome} tabIndex={-1}>
          <p>{atTheBank ? AT_THE_BANK(amount) : OUTCOME[charge.status](amount, charge)}</p>
          {failed && charge.decline_code && <SupportDetail label="Code for support" text={charge.decline_code} />}
        </div>
      )}
      {atTheBank && (
        <BankCheck
          url={page}
          closed={bankClosed}
          onClosedChange={setBankClosed}
          onAnswered={() => void queryClient.invalidateQueries({ queryKey: seatKeys.order(orderId) })}
          gaveUp={seatsLeft}
          reopen="Confirm with your bank"
          focusLeft
        />
      )}
    </>
  );
}
