import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef } from "react";

import { SupportDetail } from "../../../components/SupportDetail";
import { decline, declineSentence } from "../../../lib/declines";
import { money } from "../../../lib/format";
import { charging, type OrderSeats, type SeatCharge, useOrderSeats } from "../../seats";
import { bookingKeys } from "../api/orders";

const OUTCOME: Record<SeatCharge["status"], (amount: string, charge: SeatCharge) => string> = {
  processing: (amount) => `Charging ${amount} to your card for your new seats…`,
  refunding: (amount) => `The seat was taken meanwhile: refunding ${amount} to your card…`,
  succeeded: (amount) => `Your new seats are confirmed: ${amount} was charged to your card.`,
  failed: (amount, charge) => {
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

/** The last paid seat change of a booked trip, followed until the card gateway settles it. */
export function SeatChargeNotice({ orderId }: { orderId: string }) {
  const queryClient = useQueryClient();
  const seats = useOrderSeats(orderId).data;
  const charge = seats?.seat_charge;
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
  if (!charge || seatsGoneSince(charge, seats?.seats ?? [])) return null;
  const amount = money(charge.amount, charge.currency);
  const failed = charge.status === "failed";
  return (
    <div className={failed ? "notice warning" : "notice"} role="status">
      <p>{OUTCOME[charge.status](amount, charge)}</p>
      {failed && charge.decline_code && <SupportDetail label="Code for support" text={charge.decline_code} />}
    </div>
  );
}
