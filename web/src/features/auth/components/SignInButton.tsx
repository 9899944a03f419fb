import { useEffect, useRef, useState } from "react";

import { beginSignIn, SignInFailed } from "../api/oidc";

/** Starts the sign-in; says so when the identity provider cannot be reached. */
export function SignInButton({
  returnTo,
  className = "secondary",
  focusNow = false,
  fresh = false,
  label = "Sign in",
}: {
  returnTo: string;
  className?: string;
  focusNow?: boolean; // drawn in place of the button just pressed (Sign out): focus stays here
  // A sign-in made now, whatever session the provider keeps (after the account was deleted: the
  // provider's remembered sign-in predates the deletion, and the API would refuse it again).
  fresh?: boolean;
  label?: string;
}) {
  const [failure, setFailure] = useState<string | null>(null);
  const button = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (focusNow) button.current?.focus();
  }, [focusNow]);
  return (
    <>
      <button
        ref={button}
        type="button"
        className={className}
        onClick={() =>
          void (fresh ? beginSignIn(returnTo, { maxAge: 0 }) : beginSignIn(returnTo)).catch((error: unknown) =>
            setFailure(error instanceof SignInFailed ? error.message : "The sign-in service cannot be reached."),
          )
        }
      >
        {label}
      </button>
      {failure && (
        <span role="alert" className="field-error">
          {failure} Try again in a moment.
        </span>
      )}
    </>
  );
}
