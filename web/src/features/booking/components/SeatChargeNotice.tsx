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
  const settling = charging(charge);
  // Settled while followed here: the order's seats and history moved too (the seats are written
  // on the order's history as the charge settles, and the order's `updated_at` stays as it was).
  const wasSettling = useRef(settling);
  useEffect(() => {
    if (wasSettling.current && !settling) {
      void queryClient.invalidateQueries({ queryKey: bookingKeys.order(orderId) });
      void queryClient.invalidateQueries({ queryKey: bookingKeys.history(orderId) });
    }
    wasSettling.current = settling;
  }, [settling, orderId, queryClient]);
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
