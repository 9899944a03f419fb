import { useCallback } from "react";
import { useLocation, useNavigate } from "react-router";

import { type SearchForm, toParams } from "../model";

// The history state of a results screen the traveler opened by sending the search form in this
// tab. A link (shared, bookmarked, typed) carries none: nothing was sent from that screen.
const SENT = { searchSent: true } as const;

/** Opens the results of the search the traveler has just sent from the form. */
export function useSendSearch(): (form: SearchForm) => void {
  const navigate = useNavigate();
  return useCallback((form: SearchForm) => void navigate(`/results?${toParams(form)}`, { state: SENT }), [navigate]);
}

/** Whether this screen's search was sent from the form in this tab (see `useSendSearch`). */
export function useSearchWasSent(): boolean {
  const state: unknown = useLocation().state;
  return typeof state === "object" && state !== null && "searchSent" in state;
}
