import { useRef } from "react";
import { Navigate, useNavigate } from "react-router";

import { ProblemNotice } from "../../../components/ProblemNotice";
import { useHeadingFocus } from "../../../lib/headingFocus";
import { useOrder } from "../api/orders";
import { PayStep } from "./PayStep";
import { SeatStep } from "./SeatStep";

const STEPS = [
  ["passengers", "Passengers"],
  ["seats", "Seats"],
  ["pay", "Payment"],
] as const;

type Step = (typeof STEPS)[number][0];

/** Where the traveler is in the booking: done steps say so in words, not only in colour. */
export function Steps({ current }: { current: Step }) {
  const at = STEPS.findIndex(([step]) => step === current);
  return (
    <ol className="steps" aria-label="Booking steps">
      {STEPS.map(([step, label], index) => (
        <li key={step} aria-current={index === at ? "step" : undefined} className={index < at ? "done" : undefined}>
          {label}
          {index < at && <span className="visually-hidden"> (done)</span>}
        </li>
      ))}
    </ol>
  );
}

/** The steps after the seats are held: seats (optional), then pay or keep the hold. */
export function BookingSteps({ offerId, orderId, step }: { offerId: string; orderId: string; step: "seats" | "pay" }) {
  const navigate = useNavigate();
  const page = useRef<HTMLDivElement>(null);
  // A step is a new screen at the same path: the Layout does not see it, this does.
  useHeadingFocus(page, step, false);
  const { data: order, error, refetch } = useOrder(orderId);
  return (
    <div className="book-page" ref={page}>
      {error ? (
        <ProblemNotice problem={error.problem} backing="trip" retry={() => void refetch()} />
      ) : !order ? (
        <p role="status">Loading your booking…</p>
      ) : order.status !== "held" || order.payment_status === "paid" ? (
        // Paid, cancelled or expired meanwhile (another tab, the hold's deadline): the trip says what.
        <Navigate to={`/trips/${encodeURIComponent(order.id)}`} replace />
      ) : (
        <>
          <Steps current={step} />
          {step === "seats" ? (
            <SeatStep
              order={order}
              mode="booking"
              onDone={() =>
                void navigate(`/book/${encodeURIComponent(offerId)}?order=${encodeURIComponent(order.id)}&step=pay`)
              }
            />
          ) : (
            <PayStep order={order} />
          )}
        </>
      )}
    </div>
  );
}
