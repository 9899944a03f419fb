import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef } from "react";

import { SupportDetail } from "../../../components/SupportDetail";
import { decline, declineSentence } from "../../../lib/declines";
import { money } from "../../../lib/format";
import { charging, type SeatCharge, useOrderSeats } from "../../seats";
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

/** The last paid seat change of a booked trip, followed until the card gateway settles it. */
export function SeatChargeNotice({ orderId }: { orderId: string }) {
  const queryClient = useQueryClient();
  const charge = useOrderSeats(orderId).data?.seat_charge;
  const settling = charging(charge);
  // Settled while followed here: the order's seats and history moved too.
  const wasSettling = useRef(settling);
  useEffect(() => {
    if (wasSettling.current && !settling) void queryClient.invalidateQueries({ queryKey: bookingKeys.order(orderId) });
    wasSettling.current = settling;
  }, [settling, orderId, queryClient]);
  if (!charge) return null;
  const amount = money(charge.amount, charge.currency);
  const failed = charge.status === "failed";
  return (
    <div className={failed ? "notice warning" : "notice"} role="status">
      <p>{OUTCOME[charge.status](amount, charge)}</p>
      {failed && charge.decline_code && <SupportDetail label="Code for support" text={charge.decline_code} />}
    </div>
  );
}
