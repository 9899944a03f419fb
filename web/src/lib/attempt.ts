import { useState } from "react";

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
  async function attempt(action: () => Promise<void>): Promise<boolean> {
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
