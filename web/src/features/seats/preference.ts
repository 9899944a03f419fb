import { choosable } from "./choices";
import type { Seat } from "./layout";

/** A profile's seat preference that a seat map can show (`none`: any seat will do). */
export type PreferredPosition = "window" | "aisle";

/** The position a profile's `seat_preference` asks for, if the seat map can show it. */
export function preferredPosition(preference: string | null | undefined): PreferredPosition | null {
  return preference === "window" || preference === "aisle" ? preference : null;
}

/** Whether `passenger` may take `seat` now and it is where the traveler likes to sit. */
export function isPreferred(seat: Seat, passenger: string, preferred: PreferredPosition | null): boolean {
  return preferred !== null && seat.position === preferred && choosable(seat, passenger);
}
