import { useEffect, useState } from "react";
import { useNavigate, useSearchParams } from "react-router";

import { completeSignIn, SignInFailed } from "../api/oidc";
import { SignInButton } from "./SignInButton";

/** Where the identity provider sends the traveler back: exchange the code, then go on. */
export function AuthCallback() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const [failure, setFailure] = useState<string | null>(null);
  useEffect(() => {
    completeSignIn(params).then(
      (next) => navigate(next, { replace: true }),
      (error: unknown) =>
        setFailure(error instanceof SignInFailed ? error.message : "The sign-in did not complete."),
    );
  }, [params, navigate]);
  return (
    <div>
      <h1>{failure ? "You are not signed in" : "Signing in"}</h1>
      {failure ? (
        <div className="notice error" role="alert">
          <p>
            <strong>{failure}</strong>
          </p>
          <SignInButton returnTo="/" />
        </div>
      ) : (
        <p role="status">Signing you in…</p>
      )}
    </div>
  );
}
