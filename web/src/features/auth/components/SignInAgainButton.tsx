import { useState } from "react";
import { useLocation } from "react-router";

import { beginSignIn, SignInFailed } from "../api/oidc";
import { rememberResume } from "../api/stepUp";

/**
 * "Sign in again", for an act the API refused with `insufficient-user-authentication` (RFC 9470):
 * a fresh sign-in (`max_age=0`, the traveler's email filled in) that comes back to this page,
 * where `action` is offered again to the same traveler (`takeResume`), to be confirmed once more.
 */
export function SignInAgainButton({
  action,
  subject,
  loginHint,
}: {
  action: string;
  subject: string;
  loginHint: string | null;
}) {
  const location = useLocation();
  const [failure, setFailure] = useState<string | null>(null);
  return (
    <p className="actions">
      <button
        type="button"
        className="primary"
        onClick={() => {
          setFailure(null);
          rememberResume(action, subject);
          void beginSignIn(`${location.pathname}${location.search}`, { maxAge: 0, loginHint }).catch(
            (error: unknown) =>
              setFailure(error instanceof SignInFailed ? error.message : "The sign-in service cannot be reached."),
          );
        }}
      >
        Sign in again
      </button>
      {failure && (
        <span role="alert" className="field-error">
          {failure} Try again in a moment.
        </span>
      )}
    </p>
  );
}
