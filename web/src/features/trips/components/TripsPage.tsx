import { useEffect, useRef } from "react";
import { Link } from "react-router";

import { PayBy } from "../../../components/PayBy";
import { ProblemNotice } from "../../../components/ProblemNotice";
import type { Order } from "../../../lib/api/client";
import { busyButton } from "../../../lib/attempt";
import { waitsForBank } from "../../../lib/bankWait";
import { localDate, localTime } from "../../../lib/format";
import { amountLine } from "../../../lib/orderMoney";
import { useSession } from "../../../lib/session";
import { SignInButton } from "../../auth";
import { useOrders } from "../api/orders";

const STATUS: Record<Order["status"], string> = {
  pending: "Being confirmed",
  held: "On hold (not paid)",
  confirmed: "Confirmed",
  cancelled: "Cancelled",
  expired: "Hold expired",
  failed: "Not booked",
};

/** Where the trip stands, in words: a hold being paid says whether the traveler has something
 * to do (confirm the payment with their bank: its trip page offers that, or another card) or
 * only to wait for the card to be charged. */
function statusWords(order: Order): string {
  if (waitsForBank(order)) return "On hold: confirm the payment with your bank";
  if (order.status === "held" && order.payment_status === "processing") return "On hold: payment in progress";
  return STATUS[order.status];
}

/** My trips: the signed-in traveler's orders, newest first, with "Show more" for older ones. */
export function TripsPage() {
  const session = useSession();
  if (!session) {
    return (
      <div>
        <h1>My trips</h1>
        <p>Sign in to see your trips.</p>
        <SignInButton returnTo="/trips" className="primary" />
      </div>
    );
  }
  return <Trips subject={session.subject} />;
}

function Trips({ subject }: { subject: string }) {
  const { data, error, isPending, hasNextPage, fetchNextPage, isFetchingNextPage, refetch } = useOrders(subject);
  const orders = data?.pages.flatMap((page) => page.data) ?? [];
  const list = useRef<HTMLUListElement>(null);
  // "Show older trips" is disabled while it loads, and gone after the last page: the focus went
  // with it. It moves to the first trip the page added (its index), where the traveler reads on.
  const focusFrom = useRef<number | null>(null);
  useEffect(() => {
    const first = focusFrom.current;
    if (first === null || orders.length <= first) return;
    focusFrom.current = null;
    list.current?.querySelectorAll<HTMLAnchorElement>(":scope > li h2 a")[first]?.focus();
  }, [orders.length]);
  const showOlder = () => {
    focusFrom.current = orders.length;
    void fetchNextPage();
  };
  return (
    <div>
      <h1>My trips</h1>
      {error && <ProblemNotice problem={error.problem} backing="trips" retry={() => void refetch()} />}
      {isPending && <p role="status">Loading your trips…</p>}
      {!isPending && !error && orders.length === 0 && <p>No trips yet. Search for a flight to book one.</p>}
      {orders.length > 0 && (
        <ul className="trips" aria-label="Trips" ref={list}>
          {orders.map((order) => (
            <li key={order.id} className="trip-card">
              <TripSummary order={order} />
            </li>
          ))}
        </ul>
      )}
      {hasNextPage && (
        // Inert while loading, yet focusable; once loaded, the first trip it added takes the focus.
        <button type="button" className="secondary" {...busyButton(isFetchingNextPage)} onClick={showOlder}>
          {isFetchingNextPage ? "Loading…" : "Show older trips"}
        </button>
      )}
    </div>
  );
}

function TripSummary({ order }: { order: Order }) {
  const first = order.slices[0]?.segments[0];
  return (
    <article aria-label={`Trip ${order.booking_reference}`}>
      <h2>
        <Link to={`/trips/${encodeURIComponent(order.id)}`}>
          {order.slices.map((slice) => `${slice.origin} → ${slice.destination}`).join(", ")}
        </Link>
      </h2>
      <p>
        {first && `${localDate(first.departing_at)} at ${localTime(first.departing_at)} · `}
        {statusWords(order)}
      </p>
      {/* What the trip page's booking box says: every charge, seats and changes included. */}
      <p>{amountLine(order)}</p>
      {/* A hold lost at its deadline: the list says by when, not only the trip's own page. */}
      <PayBy order={order} className="hold-deadline" awaitingBank={waitsForBank(order)}>
        {" "}to keep these seats.
      </PayBy>
      <p>
        Booking reference <strong className="reference">{order.booking_reference}</strong>
      </p>
    </article>
  );
}
