import { useState } from "react";
import { Link, useLocation } from "react-router";

import { useSession } from "../../../lib/session";
import { signOut } from "../api/oidc";
import { SignInButton } from "./SignInButton";

/** The header's account corner: Sign in, or the traveler's name, My trips and Sign out. */
export function SessionMenu() {
  const session = useSession();
  const location = useLocation();
  // Signed out here: the Sign in drawn in its place takes the focus (it fell to the page's body).
  const [left, setLeft] = useState(false);
  if (!session) {
    return <SignInButton returnTo={location.pathname + location.search} className="header-button" focusNow={left} />;
  }
  return (
    <>
      <span className="signed-in">Hi, {session.name}</span>
      <Link to="/trips">My trips</Link>
      <Link to="/profile">Profile</Link>
      <button
        type="button"
        className="header-button"
        onClick={() => {
          setLeft(true);
          signOut();
        }}
      >
        Sign out
      </button>
    </>
  );
}
