import { FailureDetail } from "../../../components/FailureDetail";
import type { Order, Schemas } from "../../../lib/api/client";
import { changeFailure, unnamedFailure } from "../../../lib/changeFailures";
import { sentence } from "../../../lib/format";
import { useOrderHistory } from "../api/history";
import { ended } from "../../../lib/orderMoney";
import { lastChangedFlight } from "../history";
import { flightWords } from "../historyWords";

type Change = NonNullable<Order["last_change"]>;

/** The order's last flight change (`last_change`), a confirmed one said from its history step's
 * fields (the same answer the trip's history shows: one request). Not on an ended trip: a boxed
 * "Your flight was changed" under "This trip is cancelled" read as news of a trip still to fly;
 * its history keeps the change. */
export function OrderLastChange({ order }: { order: Order }) {
  const { data } = useOrderHistory(order);
  if (!order.last_change || ended(order)) return null;
  return <LastChangeNotice change={order.last_change} flight={lastChangedFlight(data?.data)} />;
}

/** How the last flight change ended: a confirmed one in the trip history's words, read from
 * `flight` (the history's `details.flight`: the API's `detail` is our English sentence, "slice 1
 * changed to …", not for a client to parse); without it, that the trip shows the new flight. A
 * failed one in words chosen by its `failure_code` and `decline_code` (lib/changeFailures), with
 * the next step; the API's `detail` is only kept for support when no code says why. */
export function LastChangeNotice({ change, flight }: { change: Change; flight: Schemas["HistoryFlight"] | null }) {
  if (change.status === "confirmed") {
    const words = flightWords(flight);
    return (
      <div className="notice" role="status">
        <p>
          <strong>Your flight was changed.</strong> {words ? sentence(words) : "Your trip below shows the new flight."}
        </p>
      </div>
    );
  }
  return (
    <div className="notice warning" role="status">
      <FailureDetail lead="Your last flight change was not made." words={changeFailure(change) ?? unnamedFailure(change)} />
    </div>
  );
}
