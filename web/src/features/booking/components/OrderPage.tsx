import { useQueryClient } from "@tanstack/react-query";
import { lazy, Suspense, useRef, useState } from "react";
import { Link, useLocation, useNavigate, useParams, useSearchParams } from "react-router";

import { PayBy } from "../../../components/PayBy";
import { ProblemNotice } from "../../../components/ProblemNotice";
import { StatusHeading } from "../../../components/StatusHeading";
import { SupportDetail } from "../../../components/SupportDetail";
import { decline, declineSentence } from "../../../lib/declines";
import { useHeadingFocus } from "../../../lib/headingFocus";
import { useSession } from "../../../lib/session";
import { SignInButton } from "../../auth";
import { BaggageAllowance, mixOf, SliceDetails } from "../../offers";
import { SupportCases } from "../../support";
import { amendable, flightChange, seatsClosed, surelyBegun, surelyLeft } from "../amendable";
import { bookingKeys, useOrder } from "../api/orders";
import type { Order } from "../../../lib/api/client";
import { bankWaiting } from "../../../lib/bankWait";
import { amountLine, refundOwed } from "../../../lib/orderMoney";
import { BankCheck } from "./BankCheck";
import { headline } from "../headline";
import { CancelTrip } from "./CancelTrip";
import { OrderLastChange } from "./LastChangeNotice";
import { PassengerSeats } from "./PassengerSeats";
import { SeatChargeNotice } from "./SeatChargeNotice";
import { SeatStep } from "./SeatStep";
import { TicketNumbers } from "./TicketNumbers";
import { TripHistory } from "./TripHistory";

// Changing a flight is rare: its screen loads when opened.
const ChangeFlight = lazy(() => import("../../changes").then((m) => ({ default: m.ChangeFlight })));
const ChangeBankNotice = lazy(() => import("../../changes").then((m) => ({ default: m.ChangeBankNotice })));

/** One order: its reference, status (followed while the payment is processing) and flights. */
export function OrderPage() {
  const { orderId = "" } = useParams();
  const session = useSession();
  const location = useLocation(); // back to the screen asked for: `?change=seats` too
  if (!session) {
    return (
      <div>
        <h1>Your trip</h1>
        <p>Sign in to see this trip.</p>
        <SignInButton returnTo={location.pathname + location.search} className="primary" />
      </div>
    );
  }
  return <OrderDetails orderId={orderId} />;
}

/** The trip and the screens opened from it at the same path (`?change=seats`, `?change=flight`):
 * each is a new screen, so focus moves to its heading (the Layout sees only the path; the link
 * that opened it is gone, and focus fell to the page's body). */
function OrderDetails({ orderId }: { orderId: string }) {
  const screen = useRef<HTMLDivElement>(null);
  const [params] = useSearchParams();
  useHeadingFocus(screen, params.get("change") ?? "trip", true);
  return (
    <div ref={screen}>
      <OrderScreen orderId={orderId} />
    </div>
  );
}

function OrderScreen({ orderId }: { orderId: string }) {
  const location = useLocation();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  // `bank`: the bank's page of the order's payment just made; `seatBank`: of a seat change's.
  const state = location.state as { paying?: boolean; bank?: string; seatBank?: string } | null;
  const paying = state?.paying === true;
  const queryClient = useQueryClient();
  const { data: order, error, refetch } = useOrder(orderId, paying);
  // The bank's page (BankCheck) is not shown: the traveler closed it before confirming, or came
  // to the trip later (not just paid here: it does not open unasked). The heading says so too.
  const [bankClosed, setBankClosed] = useState(!state?.bank);
  if (error) {
    // Headed as the trip (the tab's title, the screen reader's first stop), and the way on is the
    // traveler's trips: the notice's own next step speaks of offers.
    return (
      <>
        <h1>Your trip</h1>
        <ProblemNotice problem={error.problem} backing="trip" retry={() => void refetch()}>
          <p>
            <Link to="/trips">See my trips</Link>
          </p>
        </ProblemNotice>
      </>
    );
  }
  if (!order) return <p role="status">Loading your trip…</p>;
  const now = new Date();
  // Seats change on an amendable trip until 24 hours before its first flight (booking/seats.py):
  // past that (a begun trip is) they are not offered, as a begun trip is offered no cancel.
  const seats = amendable(order) && !seatsClosed(order, now);
  const flights = flightChange(order);
  const back = (seatBank?: string) =>
    void navigate(`/trips/${encodeURIComponent(order.id)}`, seatBank ? { state: { seatBank } } : undefined);
  if (params.get("change") === "seats" && seats) return <SeatStep order={order} mode="change" onDone={back} />;
  if (params.get("change") === "flight" && flights === "offered") {
    return (
      <Suspense fallback={<p role="status">Loading…</p>}>
        <ChangeFlight
          order={order}
          sliceIndex={Number(params.get("slice") ?? 0)}
          onDone={(changed) => {
            if (changed?.order) queryClient.setQueryData(bookingKeys.order(order.id), changed.order);
            // the change's answer carries no `money` (what the difference charged): read it anew
            void queryClient.invalidateQueries({ queryKey: bookingKeys.order(order.id) });
            void queryClient.invalidateQueries({ queryKey: ["orders"] });
            back();
          }}
        />
      </Suspense>
    );
  }
  const declined = order.status === "held" && order.payment_status === "failed";
  const bank = bankWaiting(order, state?.bank);
  const why = decline(order.payment_decline_code);
  return (
    <div className="order-page">
      {/* follows the payment ("Payment in progress…" → "Your trip is booked"): said when focused */}
      <StatusHeading>{headline(order, paying, bank !== null && bankClosed)}</StatusHeading>
      {/* Not live itself: a live region is read out whole at each change, reference, links and
          ticket numbers again; its status line is what says what moved. */}
      <section className="price-box" aria-label="Booking">
        <p>
          Booking reference <strong className="reference">{order.booking_reference}</strong>
        </p>
        <p role="status">
          {order.status === "confirmed" && "Paid and ticketed. "}
          <PayBy order={order} paying={paying} awaitingBank={bank !== null && bankClosed}>
            {" "}to keep these seats.{" "}
          </PayBy>
          {declined && `${declineSentence(why)} ${why.next} `}
          {refundOwed(order) && "Your refund is on its way: this page shows it once it is through. "}
          {order.payment_status === "refunded" && "Your refund is complete. "}
          {amountLine(order)}
        </p>
        {bank && (
          <BankCheck
            url={bank}
            closed={bankClosed}
            onClosedChange={setBankClosed}
            onAnswered={() => void queryClient.invalidateQueries({ queryKey: bookingKeys.order(order.id) })}
          >
            <Link className="button secondary" to={payStep(order)}>
              Use another card
            </Link>
          </BankCheck>
        )}
        {declined && why.code && <SupportDetail label="Code for support" text={why.code} />}
        {/* `paying` hides it only until the payment just started shows up; a declined one is over */}
        {order.status === "held" && (declined || (order.payment_status === "unpaid" && !paying)) && (
          <p>
            <Link className="button primary" to={payStep(order)}>
              Pay now
            </Link>
          </p>
        )}
        <TicketNumbers order={order} />
      </section>
      <OrderLastChange order={order} />
      {order.change_next_action && (
        <Suspense fallback={null}>
          <ChangeBankNotice order={order} />
        </Suspense>
      )}
      {order.slices.map((slice, index) => (
        <div key={index}>
          <SliceDetails slice={slice} />
          {/* One change at a time: not while one waits for the bank (ChangeBankNotice). */}
          {flights === "offered" && !surelyLeft(slice, now) && !order.change_next_action && (
            <p>
              <Link to={`?change=flight&slice=${index}`} aria-label={`Change this flight, ${slice.origin} to ${slice.destination}`}>
                Change this flight
              </Link>
            </p>
          )}
        </div>
      ))}
      {/* It says to cancel instead: not once the trip has begun, when no cancel is offered. */}
      {flights === "fare-forbids" && !surelyBegun(order, now) && (
        <p className="meta">
          This fare cannot be changed: its conditions allow no flight changes. To fly on other flights, cancel this trip
          (the quote says what you get back) and book again, or contact support.
        </p>
      )}
      <BaggageAllowance slices={order.slices} passengers={mixOf(order.passengers)} />
      <section className="conditions" aria-label="Passengers">
        <h2>Passengers</h2>
        <PassengerSeats order={order} />
        {order.status === "confirmed" && <SeatChargeNotice orderId={order.id} bank={state?.seatBank ?? null} />}
        {seats && (
          <p>
            <Link to="?change=seats">Change seats</Link>
          </p>
        )}
        {amendable(order) && !seats && !surelyBegun(order, now) && (
          <p className="meta">Seats can no longer be changed here: your first flight leaves within 24 hours. Ask the airline at check-in.</p>
        )}
      </section>
      <TripHistory order={order} />
      <CancelTrip order={order} now={now} />
      <SupportCases orderId={order.id} />
    </div>
  );
}

/** The booking's payment step for this held order: Pay now, or another card. */
const payStep = (order: Order) => `/book/${encodeURIComponent(order.offer_id)}?order=${encodeURIComponent(order.id)}&step=pay`;
