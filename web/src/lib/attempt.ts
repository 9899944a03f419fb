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
 * moves on. An attempt while one runs does nothing (a second press of Pay is no second payment):
 * its buttons need only say so with `aria-disabled` (busyButton), never `disabled`, which drops
 * the keyboard's focus to the page.
 */
export function useAttempt(explain: (problem: Problem) => Problem = (problem) => problem) {
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);
  const pressed = useRef<Element | null>(null);
  const running = useRef(false);
  // The button pressed may have gone while the action ran (a screen redrawn), and the browser
  // then drops its focus to the page: after a failure a keyboard user would start again from the
  // top. Back to it, unless the screen already placed the focus (BookingFailure: on the field
  // refused).
  useEffect(() => {
    const button = pressed.current;
    if (!problem || !(button instanceof HTMLElement) || !button.isConnected) return;
    if (document.activeElement === null || document.activeElement === document.body) button.focus();
  }, [problem]);
  async function attempt(action: () => Promise<void>): Promise<boolean> {
    if (running.current) return false;
    running.current = true;
    pressed.current = document.activeElement;
    setBusy(true);
    setProblem(null);
    try {
      await action();
      return true;
    } catch (error) {
      setProblem(explain(problemOf(error)));
      running.current = false;
      setBusy(false);
      return false;
    }
  }
  return { problem, busy, attempt };
}

/** A button of an attempt: inert while it runs, yet focusable, so the keyboard's focus and a
 * screen reader stay on it (`disabled` would send them to the top of the page). Its press
 * is refused by `attempt` itself; a click's default (a form's submit) is stopped here too. */
export function busyButton(busy: boolean) {
  return {
    "aria-disabled": busy || undefined,
    onClickCapture: (event: { preventDefault: () => void; stopPropagation: () => void }) => {
      if (!busy) return;
      event.preventDefault();
      event.stopPropagation();
    },
  };
}
