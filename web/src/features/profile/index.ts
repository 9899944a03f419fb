export { type Traveler, useProfile, useTravelers } from "./api/me";
export { ProfilePage } from "./components/ProfilePage";
