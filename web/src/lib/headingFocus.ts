import { type RefObject, useEffect, useRef } from "react";

/** Focuses the first `h1` inside `container` (made focusable from script only); false if none. */
export function focusHeading(container: HTMLElement | null): boolean {
  const heading = container?.querySelector("h1");
  if (!heading) return false;
  heading.setAttribute("tabindex", "-1");
  heading.focus();
  return true;
}

/**
 * Moves focus to the first `h1` inside `container` whenever `key` changes (a new screen or
 * step: a screen reader then starts there), waiting for it when the screen draws it later (a
 * screen loaded on first use, or still loading its data). With `skipFirst` the first render is
 * left alone (a page opened from its URL starts at the top, as any page does).
 */
export function useHeadingFocus(container: RefObject<HTMLElement | null>, key: string, skipFirst: boolean) {
  const first = useRef(skipFirst);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    if (focusHeading(container.current) || !container.current) return;
    const observer = new MutationObserver(() => {
      if (focusHeading(container.current)) observer.disconnect();
    });
    observer.observe(container.current, { childList: true, subtree: true });
    const timer = window.setTimeout(() => observer.disconnect(), 10_000);
    return () => {
      observer.disconnect();
      window.clearTimeout(timer);
    };
  }, [container, key]);
}
