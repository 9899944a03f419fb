import { type RefObject, useEffect } from "react";

export const SITE = "Skyfare";

/** The tab's title for a screen whose main heading reads `heading` (none yet: the site's name). */
export function titleFor(heading: string | null | undefined): string {
  const words = heading?.replace(/\s+/g, " ").trim();
  return words ? `${words} · ${SITE}` : SITE;
}

/**
 * Keeps `document.title` to the first `h1` inside `container`, as it is drawn and redrawn (a
 * screen loaded later, a heading that follows the trip's status, a booking step): each route's
 * tab, history entry and screen reader's page name then say which screen it is, not "Skyfare".
 */
export function useTitleFromHeading(container: RefObject<HTMLElement | null>) {
  useEffect(() => {
    const root = container.current;
    if (!root) return;
    const follow = () => {
      const title = titleFor(root.querySelector("h1")?.textContent);
      if (document.title !== title) document.title = title;
    };
    follow();
    const observer = new MutationObserver(follow);
    observer.observe(root, { childList: true, subtree: true, characterData: true });
    return () => observer.disconnect();
  }, [container]);
}
