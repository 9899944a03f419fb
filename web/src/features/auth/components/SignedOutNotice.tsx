import { useEffect } from "react";
import { useLocation } from "react-router";

import { describe } from "../../../lib/problems";
import { useSession } from "../../../lib/session";
import { ACCOUNT_ERASED } from "../api/erasure";
import { forgetSignOutReason, useSignOutReason } from "../api/signOutReason";
import { SignInButton } from "./SignInButton";

/** Why this tab was signed out when the traveler did not ask, with the way on: a sign-in (after
 * an account deleted elsewhere, a fresh one, which starts a new, empty profile). Gone once
 * signed in. */
export function SignedOutNotice() {
  const session = useSession();
  const reason = useSignOutReason();
  const location = useLocation();
  useEffect(() => {
    if (session) forgetSignOutReason();
  }, [session]);
  if (session || !reason) return null;
  const { message, next } = describe({ type: reason });
  const erased = reason === ACCOUNT_ERASED;
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
            fresh={erased}
            label={erased ? "Sign in to start again" : "Sign in again"}
          />
        </p>
      </div>
    </div>
  );
}
