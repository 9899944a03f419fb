import { useQueryClient } from "@tanstack/react-query";

import { busyButton, useAttempt } from "../../../lib/attempt";
import { type Problem } from "../../../lib/problems";
import { BEING_CHECKED, beingChecked, type ChangeOffer, giveUpChange } from "../api/changes";

/** Why giving up did not happen, in the traveler's words: nothing changed in each case. */
function notGivenUp(problem: Problem): string {
  if (beingChecked(problem)) return BEING_CHECKED;
  if (problem.status === 409) return "This change no longer waits for your bank: your trip shows how it ended.";
  if (problem.status === 503 || problem.status === 0)
    return "We could not cancel the payment with your bank just now, so nothing has changed. Try again in a moment.";
  return "This change could not be given up. Try again in a moment, or contact support.";
}

/**
 * "Give up this change": for a flight change whose charge waits at the traveler's bank (3-D
 * Secure) — their bank's page does not work, or they changed their mind — so the trip is not held
 * from any other change until the bank's wait runs out. The API cancels the charge first, then
 * puts the old flights back; one the bank confirmed first stands. The trip is read anew (its last
 * change says how it ended) and `onEnded` is told the change as it ended.
 */
export function GiveUpChange({ orderId, offerId, onEnded }: { orderId: string; offerId: string; onEnded?: (ended: ChangeOffer) => void }) {
  const queryClient = useQueryClient();
  const { problem, busy, attempt } = useAttempt();
  const giveUp = () =>
    attempt(async () => {
      try {
        const ended = await giveUpChange(orderId, offerId);
        onEnded?.(ended);
      } finally {
        // Ended either way, or not waiting any more (a 409): the trip says how it is now.
        void queryClient.invalidateQueries({ queryKey: ["orders"] });
      }
    });
  return (
    <>
      <button type="button" className="secondary" {...busyButton(busy)} onClick={() => void giveUp()}>
        Give up this change
      </button>
      <span role="alert">{problem && notGivenUp(problem)}</span>
    </>
  );
}
