import { useLayoutEffect, useRef } from "react";

/**
 * A screen's heading whose words follow what the screen shows (a trip's status, followed while
 * its payment goes through). A heading's words changing under the focus are not announced: a
 * screen reader reads a focused element when it gets the focus, and a heading is no live region.
 * So when the heading has the focus (it does on arrival: focus moves to a new screen's heading)
 * its new words are drawn as a new heading, and the focus moves to it: a screen reader reads it
 * as it reads any screen's heading. Focus elsewhere is left where the traveler put it, and the
 * screen's status line says what changed. Not a live region as well: when focused, that would
 * say the new words twice.
 */
export function StatusHeading({ children }: { children: string }) {
  const heading = useRef<HTMLHeadingElement>(null);
  const focused = useRef(false);
  useLayoutEffect(() => {
    // The heading just replaced had the focus, and it fell to the page's body with it.
    const lost = document.activeElement === null || document.activeElement === document.body;
    if (focused.current && lost) heading.current?.focus();
  }, [children]);
  return (
    <h1
      key={children}
      ref={heading}
      tabIndex={-1}
      onFocus={() => {
        focused.current = true;
      }}
      onBlur={(event) => {
        // Not when the heading is replaced: the effect above moves the focus on.
        if (event.currentTarget.isConnected) focused.current = false;
      }}
    >
      {children}
    </h1>
  );
}
