import { Link, useLocation, useNavigate, useParams, useSearchParams } from "react-router";

import { ProblemNotice } from "../../../components/ProblemNotice";
import type { Order } from "../../../lib/api/client";
import { money } from "../../../lib/format";
import { useSession } from "../../../lib/session";
import { SignInButton } from "../../auth";
import { SliceDetails } from "../../offers";
import { SupportCases } from "../../support";
import { useOrder } from "../api/orders";
import { CancelTrip } from "./CancelTrip";
import { PassengerSeats } from "./PassengerSeats";
import { SeatStep } from "./SeatStep";

function headline(order: Order, paying: boolean): string {
  if (order.payment_status === "processing" || (paying && order.payment_status === "unpaid" && order.status === "held"))
    return "Payment in progress…";
  if (order.status === "confirmed") return "Your trip is booked";
  if (order.status === "held" && order.payment_status === "paid") return "Paid: issuing your tickets…";
  if (order.status === "held" && order.payment_status === "failed") return "The payment was declined";
  if (order.status === "held") return "Your seats are on hold";
  if (order.status === "pending") return "Confirming with the airline…";
  return `This trip is ${order.status}`;
}

/** One order: its reference, status (followed while the payment is processing) and flights. */
export function OrderPage() {
  const { orderId = "" } = useParams();
  const session = useSession();
  if (!session) {
    return (
      <div>
        <h1>Your trip</h1>
        <SignInButton returnTo={`/trips/${encodeURIComponent(orderId)}`} className="primary" />
      </div>
    );
  }
  return <OrderDetails orderId={orderId} />;
}

function OrderDetails({ orderId }: { orderId: string }) {
  const location = useLocation();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const paying = (location.state as { paying?: boolean } | null)?.paying === true;
  const { data: order, error } = useOrder(orderId, paying);
  if (error) return <ProblemNotice problem={error.problem} />;
  if (!order) return <p role="status">Loading your trip…</p>;
  // Seats can be chosen while the order is held and not paid (booking/seats.py).
  const seatsOpen = order.status === "held" && order.payment_status === "unpaid";
  if (params.get("change") === "seats" && seatsOpen) {
    return <SeatStep order={order} mode="change" onDone={() => navigate(`/trips/${encodeURIComponent(order.id)}`)} />;
  }
  const declined = order.status === "held" && order.payment_status === "failed";
  return (
    <div className="order-page">
      <h1>{headline(order, paying)}</h1>
      <section className="price-box" aria-label="Booking" aria-live="polite">
        <p>
          Booking reference <strong className="reference">{order.booking_reference}</strong>
        </p>
        <p role="status">
          {order.status === "confirmed" && "Paid and ticketed. "}
          {order.status === "held" &&
            order.payment_status !== "paid" &&
            order.payment_required_by &&
            `Pay by ${order.payment_required_by.slice(0, 16).replace("T", " ")} UTC to keep these seats. `}
          {declined && "Nothing was charged: try another card. "}
          Total {money(order.total_amount, order.total_currency)}.
        </p>
        {order.status === "held" && ["unpaid", "failed"].includes(order.payment_status) && !paying && (
          <p>
            <Link
              className="button primary"
              to={`/book/${encodeURIComponent(order.offer_id)}?order=${encodeURIComponent(order.id)}&step=pay`}
            >
              Pay now
            </Link>
          </p>
        )}
        {order.ticket_numbers.length > 0 && <p>Tickets: {order.ticket_numbers.join(", ")}</p>}
      </section>
      {order.slices.map((slice, index) => (
        <SliceDetails key={index} slice={slice} />
      ))}
      <section className="conditions" aria-label="Passengers">
        <h2>Passengers</h2>
        <PassengerSeats order={order} />
        {seatsOpen && (
          <p>
            <Link to="?change=seats">Change seats</Link>
          </p>
        )}
      </section>
      <CancelTrip order={order} />
      <SupportCases orderId={order.id} />
    </div>
  );
}
