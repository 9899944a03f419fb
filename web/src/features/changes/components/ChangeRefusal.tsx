import { FailureDetail } from "../../../components/FailureDetail";
import type { Problem } from "../../../lib/problems";

/** A 409 in the API's words (the card was declined, the flight sold out, the trip changed); a
 * declined card in words, its code kept for support. */
export function ChangeRefusal({ problem }: { problem: Problem }) {
  const detail = typeof problem.detail === "string" ? problem.detail : "";
  return (
    <div className="notice error" role="alert">
      <p>
        <strong>Your flight was not changed.</strong> Your trip keeps its flights and nothing was charged.
      </p>
      <FailureDetail detail={detail} />
      <p>Search again for current flights and prices.</p>
    </div>
  );
}
