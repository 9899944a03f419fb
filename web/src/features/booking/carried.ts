import { getSession, watchSession } from "../../lib/session";
import type { PassengerDraft } from "./model";

/**
 * Passengers already typed, carried to the booking of the offer a new price came with (409). In
 * this page's memory, with who typed them, rather than in the history entry's state: the browser
 * keeps that until the tab is closed (a reload or the back button brings it back), whoever is
 * signed in by then. Offered to the same traveler, for that offer only; forgotten on sign-out.
 */
interface Carried {
  subject: string;
  offerId: string;
  passengers: PassengerDraft[];
}

let carried: Carried | null = null;

watchSession(() => {
  if (carried && getSession()?.subject !== carried.subject) carried = null;
});

export function carryPassengers(subject: string, offerId: string, passengers: PassengerDraft[]): void {
  carried = { subject, offerId, passengers };
}

/** The passengers carried to `offerId` for `subject`, else null. Only reads (a render asks). */
export function carriedPassengers(subject: string, offerId: string): PassengerDraft[] | null {
  return carried?.subject === subject && carried.offerId === offerId ? carried.passengers : null;
}
