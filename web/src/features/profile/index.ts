export { type Traveler, useProfile, useTravelers } from "./api/me";
export { type Profile, useSignedInProfile } from "./signedIn";
export { ProfilePage } from "./components/ProfilePage";
