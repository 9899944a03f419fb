// The profile's public face for the first screen: the initial bundle imports this, not index.ts,
// whose ProfilePage loads only when first opened (app/App.tsx).
export { type Profile, useSignedInProfile } from "./api/me";
