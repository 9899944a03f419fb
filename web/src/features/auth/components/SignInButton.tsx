import { useState } from "react";

import { beginSignIn, SignInFailed } from "../api/oidc";

/** Starts the sign-in; says so when the identity provider cannot be reached. */
export function SignInButton({ returnTo, className = "secondary" }: { returnTo: string; className?: string }) {
  const [failure, setFailure] = useState<string | null>(null);
  return (
    <>
      <button
        type="button"
        className={className}
        onClick={() =>
          void beginSignIn(returnTo).catch((error: unknown) =>
            setFailure(error instanceof SignInFailed ? error.message : "The sign-in service cannot be reached."),
          )
        }
      >
        Sign in
      </button>
      {failure && (
        <span role="alert" className="field-error">
          {failure} Try again in a moment.
        </span>
      )}
    </>
  );
}
