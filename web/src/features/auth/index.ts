// On the API client from the app's start, whichever screen comes first: what renews the token
// when it is due or refused (./api/renewal), and what signs the tab out when the API says its
// account is gone (./api/erasure).
import "./api/renewal";
import "./api/erasure";

export { AuthCallback } from "./components/AuthCallback";
export { SessionMenu } from "./components/SessionMenu";
export { SignInButton } from "./components/SignInButton";
export { SignInAgainButton } from "./components/SignInAgainButton";
export { SignedOutNotice } from "./components/SignedOutNotice";
export { signOut } from "./api/oidc";
export { forgetResume, needsFreshSignIn, resumeWaiting } from "./api/stepUp";
