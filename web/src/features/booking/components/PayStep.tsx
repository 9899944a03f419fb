import { useState } from "react";
import { Link, useNavigate } from "react-router";

import { CardChoice, DEFAULT_CARD } from "../../../components/CardChoice";
import { ProblemNotice } from "../../../components/ProblemNotice";
import type { Order } from "../../../lib/api/client";
import { localMoment, money } from "../../../lib/format";
import { busyButton, useAttempt } from "../../../lib/attempt";
import { waitsForBank } from "../../../lib/bankWait";
import { payOrder } from "../api/orders";
import { PassengerSeats } from "./PassengerSeats";

/** Pay now, or keep the hold and pay later from the trip's page. */
export function PayStep({ order }: { order: Order }) {
  const navigate = useNavigate();
  const [card, setCard] = useState(DEFAULT_CARD);
  const { problem, busy, attempt } = useAttempt();
  const trip = `/trips/${encodeURIComponent(order.id)}`;

  const pay = () =>
    attempt(async () => {
      const bank = await payOrder(order.id, card);
      // The trip page follows the payment; the bank's page (3-D Secure) shows in its dialog.
      await navigate(trip, { state: bank === null ? { paying: true } : { paying: true, bank } });
    });

  return (
    <form
      className="book-page"
      aria-label="Payment"
      onSubmit={(event) => {
        event.preventDefault();
        if (busy) return; // paying: neither a second payment nor leaving mid-way
        const submitter = (event.nativeEvent).submitter;
        if (submitter?.getAttribute("value") === "hold") void navigate(trip);
        else void pay();
      }}
    >
      <h1>Pay for your trip</h1>
      {problem && <ProblemNotice problem={problem} backing="payment" />}
      <section className="price-box" aria-label="Your trip">
        <h2>{order.slices.map((s) => `${s.origin} → ${s.destination}`).join(", ")}</h2>
        <PassengerSeats order={order} />
        <p>
          Total <strong className="price">{money(order.total_amount, order.total_currency)}</strong>
        </p>
        {/* Not while paying: new seats then would change what the card is being charged for (nor
            while a payment waits for the bank: the API refuses seats while one is in progress). */}
        {!busy && !waitsForBank(order) && (
          <p className="price-note">
            <Link to={`?order=${encodeURIComponent(order.id)}`}>Change seats</Link>
          </p>
        )}
      </section>
      {waitsForBank(order) && (
        <p className="price-note">
          Your payment waiting for your bank’s confirmation is canceled when you pay with this card, so only one card is
          charged. If you confirmed it with your bank meanwhile, it stands and this card is not charged.
        </p>
      )}
      <CardChoice legend="Payment" card={card} onChange={setCard} threeDSecure />
      <p role="status" className="price-note">
        {busy && "Sending your payment…"}
      </p>
      <div className="actions">
        <button type="submit" className="primary" value="pay" {...busyButton(busy)}>
          Pay
        </button>
        <button type="submit" className="secondary" value="hold" {...busyButton(busy)}>
          Hold
        </button>
        <span className="price-note">
          Hold: the seats are kept for you until{" "}
          {order.payment_required_by ? (
            <time dateTime={order.payment_required_by}>{localMoment(order.payment_required_by)}</time>
          ) : (
            "the deadline"
          )}
          ; pay
          later from My trips.
        </span>
      </div>
    </form>
  );
}
