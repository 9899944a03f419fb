export { AuthCallback } from "./components/AuthCallback";
export { SessionMenu } from "./components/SessionMenu";
export { SignInButton } from "./components/SignInButton";
export { signOut } from "./api/oidc";
