import { FailureDetail } from "../../../components/FailureDetail";
import type { Order } from "../../../lib/api/client";
import { sentence } from "../../../lib/format";
import { flightChangeDetail } from "../lastChangeWords";

/** How the last flight change ended: a confirmed one in the trip history's words (the API's
 * said "slice 1 changed to …"), a failed one in the API's words (a declined card undoes it: told in
 * words by its `decline_code`, the code kept for support). */
export function LastChangeNotice({ change }: { change: NonNullable<Order["last_change"]> }) {
  if (change.status === "confirmed") {
    return (
      <div className="notice" role="status">
        <p>
          <strong>Your flight was changed.</strong> {sentence(flightChangeDetail(change.detail))}
        </p>
      </div>
    );
  }
  return (
    <div className="notice warning" role="status">
      <p>
        <strong>Your last flight change was not made.</strong>
      </p>
      <FailureDetail detail={change.detail} declineCode={change.decline_code} />
    </div>
  );
}
