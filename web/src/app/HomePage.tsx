import { useCallback, useMemo, useState } from "react";

import { type Profile, useSignedInProfile } from "../features/profile/signedIn";
import {
  emptyForm,
  forgetDraft,
  rememberDraft,
  resumedDraft,
  SearchForm,
  type SearchFormModel,
  type SearchPreferences,
  useSendSearch,
} from "../features/search";

function searchPreferences(profile: Profile | null): SearchPreferences | null {
  if (!profile) return null;
  return { origin: profile.home_airport, cabin: profile.cabin_class, currency: profile.currency };
}

export function HomePage() {
  const send = useSendSearch();
  const profile = useSignedInProfile();
  const preferences = useMemo(() => searchPreferences(profile), [profile]);
  // The search typed before the page was left to sign in (or reloaded): the form starts from it.
  const [draft] = useState(resumedDraft);
  const search = useCallback(
    (form: SearchFormModel) => {
      forgetDraft();
      send(form);
    },
    [send],
  );
  return (
    <div className="home">
      <h1>Where to next?</h1>
      <SearchForm
        initial={draft?.form ?? emptyForm()}
        typed={draft?.typed}
        preferences={preferences}
        onSearch={search}
        onDraft={rememberDraft}
      />
    </div>
  );
}
