import { useEffect, useRef, useState } from "react";

import { isProblem, type Problem } from "./problems";

/** What each feature's API errors carry: the problem document (or the offline one). */
function problemOf(error: unknown): Problem {
  const carried = error instanceof Error && "problem" in error ? error.problem : undefined;
  return isProblem(carried) ? carried : { type: "about:blank", status: 0 };
}

/**
 * One action a form submits (hold, pay, choose seats): `busy` while it runs, and its failure as
 * a problem to show (`explain` may reword it first). On success `busy` stays set: the screen
 * moves on.
 */
export function useAttempt(explain: (problem: Problem) => Problem = (problem) => problem) {
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);
  const pressed = useRef<Element | null>(null);
  // The button pressed is disabled while the action runs, and the browser then drops its focus
  // to the page: after a failure a keyboard user would start again from the top. Back to it,
  // unless the screen already placed the focus (BookingFailure: on the field refused).
  useEffect(() => {
    const button = pressed.current;
    if (!problem || !(button instanceof HTMLElement) || !button.isConnected) return;
    if (document.activeElement === null || document.activeElement === document.body) button.focus();
  }, [problem]);
  async function attempt(action: () => Promise<void>): Promise<boolean> {
    pressed.current = document.activeElement;
    setBusy(true);
    setProblem(null);
    try {
      await action();
      return true;
    } catch (error) {
      setProblem(explain(problemOf(error)));
      setBusy(false);
      return false;
    }
  }
  return { problem, busy, attempt };
}
