/**
 * After a form is refused: focus its first field marked invalid (a screen reader reads its label,
 * "invalid" and the error tied to it; the notice above, a `role="alert"`, is announced as well),
 * else `fallback` (the notice itself, with its way forward). The button that was pressed is at
 * the foot of a long form and may be disabled while it ran: focus stayed there or fell to the page.
 */
export function focusFirstInvalid(form: HTMLElement | null | undefined, fallback?: HTMLElement | null): void {
  const invalid = form?.querySelector<HTMLElement>('[aria-invalid="true"]');
  (invalid ?? fallback)?.focus();
}
