import type { Order } from "../../lib/api/client";
import { localMoment } from "../../lib/format";
import { type Explained, type Problem, problemKind } from "../../lib/problems";
import { sliceName } from "../../lib/route";

/**
 * A change refused because the flight has flown, in words, or null for any other problem: a
 * 422 naming `slice_index` (booking/departures.py: the slice's first flight has left) or a 409
 * carrying `departed_at` (the moment it left, UTC; "the trip has begun" for its first flight).
 * Told as a generic "Some details need fixing", the traveler looked for a field to fix. Read
 * from the problem's fields, never its words.
 */
export function flownWords(problem: Problem | undefined, order: Order, sliceIndex: number): Explained | null {
  const slice = order.slices[sliceIndex];
  if (!problem || !slice) return null;
  const name = sliceName(slice);
  const left = problemKind(problem) === "conflict" && typeof problem.departed_at === "string" ? problem.departed_at : null;
  const flown = problem.errors?.some((error) => error.field === "slice_index") ?? false;
  if (!left && !flown) return null;
  const later = sliceIndex < order.slices.length - 1 ? " Your later flights can still be changed from your trip." : "";
  const next = `Nothing was changed.${later} If you missed this flight or it was disrupted, contact support about this trip.`;
  if (!left) return { message: `Your flight ${name} has left, so it can no longer be changed.`, next };
  const at = localMoment(left);
  if (sliceIndex === 0) return { message: `Your trip began at ${at}, when ${name} left, so it can no longer be changed.`, next };
  return { message: `Your flight ${name} left at ${at}, so it can no longer be changed.`, next };
}
