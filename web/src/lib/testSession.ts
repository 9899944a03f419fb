import { type Session, setSession } from "./session";

/** For tests: `subject` signed in, as Ada unless `changes` say otherwise. */
export function signInForTest(subject = "usr_ada", changes: Partial<Session> = {}): void {
  setSession({
    subject,
    accessToken: "access",
    refreshToken: null,
    expiresAt: Date.now() + 600_000,
    name: "Ada",
    givenName: "Ada",
    familyName: "Lovelace",
    email: "ada@example.com",
    ...changes,
  });
}
