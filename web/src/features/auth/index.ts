export { AuthCallback } from "./components/AuthCallback";
export { SessionMenu } from "./components/SessionMenu";
export { SignInButton } from "./components/SignInButton";
export { SignInAgainButton } from "./components/SignInAgainButton";
export { SignedOutNotice } from "./components/SignedOutNotice";
export { signOut } from "./api/oidc";
export { forgetResume, needsFreshSignIn, resumeWaiting } from "./api/stepUp";
