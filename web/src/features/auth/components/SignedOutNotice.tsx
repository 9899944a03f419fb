import { useEffect } from "react";
import { useLocation } from "react-router";

import { describe } from "../../../lib/problems";
import { useSession } from "../../../lib/session";
import { forgetSignOutReason, useSignOutReason } from "../api/erasure";
import { SignInButton } from "./SignInButton";

/** Why this tab was signed out when the traveler did not ask (its account deleted elsewhere),
 * with the way on: a fresh sign-in, which starts a new, empty profile. Gone once signed in. */
export function SignedOutNotice() {
  const session = useSession();
  const reason = useSignOutReason();
  const location = useLocation();
  useEffect(() => {
    if (session) forgetSignOutReason();
  }, [session]);
  if (session || !reason) return null;
  const { message, next } = describe({ type: reason });
  return (
    // In the page's column, as the screen below it (a bare notice ran the window's width).
    <div className="page-notice">
      <div className="notice error" role="alert">
        <p>
          <strong>{message}</strong> {next}
        </p>
        <p className="actions">
          <SignInButton
            returnTo={location.pathname + location.search}
            className="primary"
            fresh
            label="Sign in to start again"
          />
        </p>
      </div>
    </div>
  );
}
