import { FailureDetail } from "../../../components/FailureDetail";
import { changedSinceOffer, changeFailure } from "../../../lib/changeFailures";
import type { Problem } from "../../../lib/problems";

/** A confirmation's 409 in words chosen by its fields (lib/changeFailures: `failure_code`, a
 * declined card's `decline_code`, naming `amount`, what the change would have charged); one
 * whose offer did not fail says the trip changed since the offer. Another confirmation at it
 * (`in_progress`) is no refusal: the trip shows the change once it is done. */
export function ChangeRefusal({ problem, amount = null }: { problem: Problem; amount?: string | null }) {
  if (problem.in_progress === true) {
    return (
      <div className="notice" role="status">
        <p>
          <strong>This change is already being confirmed.</strong> Wait a moment, then look at your trip: it shows the
          change once it is done.
        </p>
      </div>
    );
  }
  const words = changeFailure(problem, amount) ?? changedSinceOffer(problem);
  return (
    <div className="notice error" role="alert">
      <FailureDetail lead="Your flight was not changed." words={words} />
    </div>
  );
}
