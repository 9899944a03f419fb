/**
 * Scrolls the page just enough that the focused element is no longer under `cover`: a bar kept
 * at the foot of the screen (`position: sticky`) that has just grown over it. On a phone, the
 * seat bar gained its card choice when a paid seat was chosen and covered that very seat, the
 * focus with it (WCAG 2.4.11). Nothing moves when the focus is in sight or inside the bar.
 */
export function uncoverFocus(cover: HTMLElement | null): void {
  const focused = document.activeElement;
  if (!cover || !(focused instanceof HTMLElement) || cover.contains(focused)) return;
  const hidden = focused.getBoundingClientRect().bottom - cover.getBoundingClientRect().top;
  if (hidden > 0) window.scrollBy({ top: hidden + GAP_PX, behavior: "instant" });
}

// Room between the element and the bar once uncovered: its focus ring shows whole.
const GAP_PX = 8;
