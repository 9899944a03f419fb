import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useNavigate } from "react-router";

import { ProblemNotice } from "../../../components/ProblemNotice";
import type { Problem } from "../../../lib/problems";
import { type Session, useSession } from "../../../lib/session";
import { SignInButton, signOut } from "../../auth";
import { type Erasure, meKeys, useProfile } from "../api/me";
import { ErasedAccount } from "./ErasedAccount";
import { ProfileForm } from "./ProfileForm";
import { SavedTravelers } from "./SavedTravelers";
import { YourData } from "./YourData";

/** Profile: the traveler's details and preferences, saved travelers, and their data. */
export function ProfilePage() {
  const session = useSession();
  if (!session) {
    return (
      <div>
        <h1>Your profile</h1>
        <p>Sign in to see your profile and saved travelers.</p>
        <SignInButton returnTo="/profile" className="primary" />
      </div>
    );
  }
  return <Profile subject={session.subject} email={session.email} account={accountWords(session)} />;
}

/** Who is signed in, from the token's claims: said at once (the profile loads after, and just
 * after signing up nothing said whose account it was). "Ada Lovelace (ada@example.com)". */
function accountWords(session: Session): string {
  const name = [session.givenName, session.familyName].filter(Boolean).join(" ");
  if (name && session.email) return `${name} (${session.email})`;
  return name || session.email || session.name;
}

function Profile({ subject, email, account }: { subject: string; email: string | null; account: string }) {
  const navigate = useNavigate();
  const [erasure, setErasure] = useState<Erasure | null>(null);
  const { data, error, isPending, refetch } = useProfile(subject, erasure === null);
  const queryClient = useQueryClient();
  const [reloaded, setReloaded] = useState<Problem | null>(null);
  // A new form (its draft from the profile as it is now) each time a save found it stale.
  const [generation, setGeneration] = useState(0);
  if (erasure) {
    return (
      <div className="profile-page">
        <h1>Your profile</h1>
        <ErasedAccount
          erasure={erasure}
          onSignOut={() => {
            signOut();
            void navigate("/");
          }}
        />
      </div>
    );
  }
  return (
    <div className="profile-page">
      <h1>Your profile</h1>
      <p className="meta account">Signed in as {account}</p>
      {error && <ProblemNotice problem={error.problem} backing="profile" retry={() => void refetch()} />}
      {isPending && <p role="status">Loading your profile…</p>}
      {data && (
        <ProfileForm
          key={generation}
          subject={subject}
          profile={data.data}
          etag={data.etag}
          reloaded={reloaded}
          onStale={async (problem) => {
            await queryClient.refetchQueries({ queryKey: meKeys.profile(subject) });
            setReloaded(problem);
            setGeneration((g) => g + 1);
          }}
        />
      )}
      <SavedTravelers subject={subject} />
      <YourData
        subject={subject}
        email={email}
        onErased={setErasure}
      />
    </div>
  );
}
