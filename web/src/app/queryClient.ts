import { QueryClient } from "@tanstack/react-query";

import { forgetWhenTravelerChanges } from "../lib/personalQueries";

/** The app's one QueryClient, which forgets the traveler's answers when they sign out (or
 * another signs in). Watching the session from here, before any screen does, means a screen
 * drawn signed out finds nothing personal left to show. */
export function createQueryClient(): QueryClient {
  const client = new QueryClient({
    defaultOptions: { queries: { refetchOnWindowFocus: false, retry: 1 } },
  });
  forgetWhenTravelerChanges(client);
  return client;
}
