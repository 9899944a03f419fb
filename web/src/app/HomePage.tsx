import { useMemo } from "react";

import { type Profile, useSignedInProfile } from "../features/profile/signedIn";
import { emptyForm, SearchForm, type SearchPreferences, useSendSearch } from "../features/search";

function searchPreferences(profile: Profile | null): SearchPreferences | null {
  if (!profile) return null;
  return { origin: profile.home_airport, cabin: profile.cabin_class, currency: profile.currency };
}

export function HomePage() {
  const send = useSendSearch();
  const profile = useSignedInProfile();
  const preferences = useMemo(() => searchPreferences(profile), [profile]);
  return (
    <div className="home">
      <h1>Where to next?</h1>
      <SearchForm initial={emptyForm()} preferences={preferences} onSearch={send} />
    </div>
  );
}
