/** How a query is followed while something it shows is still moving (a payment, a refund, a
 * seat charge): asked again after `FIRST_MS`, then each answer that brought nothing new waits
 * `GROWTH` times longer, up to `LONGEST_MS`; an answer that moved starts again at `FIRST_MS`.
 * After `PATIENCE` answers in a row with nothing new the page stops asking (the window's focus
 * still refreshes it). Never while the tab is hidden (TanStack's refetchIntervalInBackground). */
export const FIRST_MS = 1000;
export const GROWTH = 1.5;
export const LONGEST_MS = 15_000;
export const PATIENCE = 40; // about nine minutes at the longest wait

/** What a follower remembers between its calls: TanStack asks for the interval on every state
 * change of the query (a fetch starting, ending…), so answers are counted, not calls. */
export interface FollowMemory {
  answers: number; // the query's dataUpdateCount last seen
  data: unknown; // the last answer that moved (structural sharing keeps an equal one's reference)
  unchanged: number;
}

export const newFollowMemory = (): FollowMemory => ({ answers: 0, data: undefined, unchanged: 0 });

/** What a follower is shown of its query: TanStack's state (errors counted like answers). */
export interface FollowedState<T> {
  data: T | undefined;
  dataUpdateCount: number;
  error?: unknown;
  errorUpdateCount?: number;
}

/** The wait before asking again, or false: settled (`moving` says no), or out of patience.
 * An error answer counts as one that brought nothing new. Before any answer with data, it asks
 * again only when `unknownYet` says the error leaves the thing's state unknown (a 503, no answer
 * at all): a change whose confirmation went unanswered is still followed through a spell of
 * 503s, where a 404 ends the following. */
export function nextPoll<T>(
  memory: FollowMemory,
  state: FollowedState<T>,
  moving: (data: T) => boolean,
  unknownYet: (error: unknown) => boolean = () => false,
): number | false {
  const { data } = state;
  const answers = state.dataUpdateCount + (state.errorUpdateCount ?? 0);
  if (answers !== memory.answers) {
    memory.answers = answers;
    if (data === memory.data) memory.unchanged += 1;
    else {
      memory.data = data;
      memory.unchanged = 0;
    }
  }
  const asking = data === undefined ? state.error != null && unknownYet(state.error) : moving(data);
  if (!asking) {
    memory.unchanged = 0;
    return false;
  }
  if (memory.unchanged >= PATIENCE) return false;
  return Math.min(FIRST_MS * GROWTH ** memory.unchanged, LONGEST_MS);
}
