/**
 * Focuses `element` and scrolls it to the middle of the screen: a line the app moves the focus to
 * far down a page (the trip's seat change, told under a heading that does not change), with what
 * follows it (its buttons) in sight too.
 */
export function focusInView(element: HTMLElement | null): void {
  element?.focus({ preventScroll: true });
  element?.scrollIntoView?.({ block: "center" }); // none in jsdom
}
