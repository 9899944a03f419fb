import { Link, useLocation } from "react-router";

import { useSession } from "../../../lib/session";
import { signOut } from "../api/oidc";
import { SignInButton } from "./SignInButton";

/** The header's account corner: Sign in, or the traveler's name, My trips and Sign out. */
export function SessionMenu() {
  const session = useSession();
  const location = useLocation();
  if (!session) return <SignInButton returnTo={location.pathname + location.search} className="header-button" />;
  return (
    <>
      <span className="signed-in">Hi, {session.name}</span>
      <Link to="/trips">My trips</Link>
      <Link to="/profile">Profile</Link>
      <button type="button" className="header-button" onClick={signOut}>
        Sign out
      </button>
    </>
  );
}
