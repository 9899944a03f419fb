import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";

import { ProblemNotice } from "../../../components/ProblemNotice";
import type { Order } from "../../../lib/api/client";
import { money } from "../../../lib/format";
import { type BookingProblem, bookingKeys, cancelOrder } from "../api/orders";

/** Cancel, in two steps: what happens is said before the traveler confirms. */
export function CancelTrip({ order }: { order: Order }) {
  const queryClient = useQueryClient();
  const [asking, setAsking] = useState(false);
  const cancel = useMutation<Order, BookingProblem>({
    mutationFn: () => cancelOrder(order.id),
    onSuccess: (cancelled) => {
      queryClient.setQueryData(bookingKeys.order(order.id), cancelled);
      void queryClient.invalidateQueries({ queryKey: ["orders"] });
    },
  });
  if (!["held", "confirmed"].includes(order.status)) return null;
  const paid = order.payment_status === "paid";
  return (
    <section className="conditions" aria-label="Cancel this trip">
      <h2>Cancel this trip</h2>
      {cancel.error && <ProblemNotice problem={cancel.error.problem} />}
      {asking ? (
        <>
          <p>
            {paid
              ? `The airline releases your seats and ${money(order.total_amount, order.total_currency)} is refunded to your card.`
              : "The airline releases your seats. Nothing was charged."}
          </p>
          <p className="actions">
            <button type="button" className="primary" disabled={cancel.isPending} onClick={() => cancel.mutate()}>
              Yes, cancel the trip
            </button>
            <button type="button" className="secondary" onClick={() => setAsking(false)}>
              Keep the trip
            </button>
          </p>
        </>
      ) : (
        <button type="button" className="secondary" onClick={() => setAsking(true)}>
          Cancel this trip…
        </button>
      )}
    </section>
  );
}
