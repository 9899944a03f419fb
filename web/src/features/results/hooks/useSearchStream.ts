import { useEffect, useReducer } from "react";

import type { ConnectorReport, Offer, SearchMeta, SearchRequest } from "../../../lib/api/client";
import { warmMoney } from "../../../lib/format";
import type { Problem } from "../../../lib/problems";
import { isDone, type StreamLine, StreamFailed, streamSearch } from "../api/stream";

export interface StreamState {
  offers: Offer[];
  answered: Record<string, ConnectorReport["status"]>; // airline → its line's status
  meta: SearchMeta | null; // set by the `done` line
  problem: Problem | null;
}

const INITIAL: StreamState = { offers: [], answered: {}, meta: null, problem: null };

type Action = { kind: "reset" } | { kind: "line"; line: StreamLine } | { kind: "failed"; problem: Problem };

export function reduce(state: StreamState, action: Action): StreamState {
  switch (action.kind) {
    case "reset":
      return INITIAL;
    case "failed":
      return { ...state, problem: action.problem };
    case "line": {
      const line = action.line;
      if (isDone(line)) return { ...state, meta: line.meta };
      return {
        ...state,
        offers: line.offers.length ? [...state.offers, ...line.offers] : state.offers,
        answered: { ...state.answered, [line.connector]: line.status },
      };
    }
  }
}

/** Runs the search and keeps each airline's offers as they arrive; a new `request` starts over,
 * so the caller keeps one object per search (ResultsPage memoizes it on the URL's text). */
export function useSearchStream(request: SearchRequest | null): StreamState {
  const [state, dispatch] = useReducer(reduce, INITIAL);
  useEffect(() => {
    if (!request) return;
    const controller = new AbortController();
    dispatch({ kind: "reset" });
    void (async () => {
      try {
        for await (const line of streamSearch(request, controller.signal)) dispatch({ kind: "line", line });
      } catch (error) {
        if (error instanceof StreamFailed) dispatch({ kind: "failed", problem: error.problem });
      }
    })();
    const warming = window.setTimeout(warmMoney, 0); // while the request is out
    return () => {
      controller.abort();
      window.clearTimeout(warming);
    };
  }, [request]);
  return state;
}
