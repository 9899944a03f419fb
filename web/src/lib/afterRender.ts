import { useEffect, useRef } from "react";

/**
 * An action to run once the next render is drawn, for moving focus: the control pressed is often
 * gone by then (a form opened in its place or closed, an item deleted), and focus left on nothing
 * starts a keyboard or screen-reader user at the top of the page again. Call it with the action
 * before the state change that draws its target: `afterRender(() => button.current?.focus())`.
 */
export function useAfterRender(): (action: () => void) => void {
  const next = useRef<(() => void) | null>(null);
  useEffect(() => {
    const action = next.current;
    next.current = null;
    action?.();
  });
  return (action) => {
    next.current = action;
  };
}
