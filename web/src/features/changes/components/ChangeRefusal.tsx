import { FailureDetail } from "../../../components/FailureDetail";
import type { Problem } from "../../../lib/problems";

/** A 409 in the API's words (the card was declined, the flight sold out, the trip changed); a
 * declined card (the problem's `decline_code`) in words, naming `amount` (what the change would
 * have charged), its code kept for support. */
export function ChangeRefusal({ problem, amount = null }: { problem: Problem; amount?: string | null }) {
  const detail = typeof problem.detail === "string" ? problem.detail : "";
  const declineCode = typeof problem.decline_code === "string" ? problem.decline_code : null;
  return (
    <div className="notice error" role="alert">
      <p>
        <strong>Your flight was not changed.</strong> Your trip keeps its flights and nothing was charged.
      </p>
      <FailureDetail detail={detail} declineCode={declineCode} amount={amount} />
      <p>Search again for current flights and prices.</p>
    </div>
  );
}
