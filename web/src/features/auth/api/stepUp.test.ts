// @vitest-environment jsdom
import { afterEach, describe, expect, it } from "vitest";

import { forgetResume, needsFreshSignIn, RESUME_TTL_MS, rememberResume, resumeWaiting, signedInWithin } from "./stepUp";

const NOW = 1_800_000_000_000;

afterEach(() => sessionStorage.clear());

describe("needsFreshSignIn", () => {
  it("is the API's step-up problem, and no other 401", () => {
    expect(needsFreshSignIn({ type: "https://skyfare.dev/problems/insufficient-user-authentication" })).toBe(true);
    expect(needsFreshSignIn({ type: "https://skyfare.dev/problems/unauthorized" })).toBe(false);
    expect(needsFreshSignIn({ type: "about:blank" })).toBe(false);
  });
});

describe("the action offered again after signing in", () => {
  it("waits for the traveler who asked until the screen forgets it", () => {
    rememberResume("delete-account", "usr_ada", NOW);

    expect(resumeWaiting("delete-account", "usr_ada", NOW + 30_000)).toBe(true);
    expect(resumeWaiting("delete-account", "usr_ada", NOW + 30_000)).toBe(true); // reading is not taking
    forgetResume("delete-account");
    expect(resumeWaiting("delete-account", "usr_ada", NOW + 31_000)).toBe(false);
  });

  it("is not offered to someone else who signed in instead", () => {
    rememberResume("delete-account", "usr_ada", NOW);

    expect(resumeWaiting("delete-account", "usr_bob", NOW)).toBe(false);
  });

  it("is not offered when the sign-in took longer than the visit", () => {
    rememberResume("delete-account", "usr_ada", NOW);

    expect(resumeWaiting("delete-account", "usr_ada", NOW + RESUME_TTL_MS + 1)).toBe(false);
  });

  it("is left for its own screen when another action is asked about and forgotten", () => {
    rememberResume("delete-account", "usr_ada", NOW);

    expect(resumeWaiting("change-email", "usr_ada", NOW)).toBe(false);
    forgetResume("change-email");
    expect(resumeWaiting("delete-account", "usr_ada", NOW)).toBe(true);
  });

  it.each(["not json", "null", '{"action": "delete-account"}', '{"action": 1, "subject": "usr_ada", "at": 0}'])(
    "ignores what is not one, and forgets it: %s",
    (raw) => {
      sessionStorage.setItem("skyfare.resume", raw);

      expect(resumeWaiting("delete-account", "usr_ada", NOW)).toBe(false);
      forgetResume("delete-account");
      expect(sessionStorage.getItem("skyfare.resume")).toBeNull();
    },
  );
});

describe("signedInWithin", () => {
  const now = 1_800_000_000;

  it("takes a sign-in of just now, within the clock skew either way", () => {
    expect(signedInWithin({ auth_time: now }, 0, now, 60)).toBe(true);
    expect(signedInWithin({ auth_time: now - 60 }, 0, now, 60)).toBe(true);
    expect(signedInWithin({ auth_time: now + 60 }, 0, now, 60)).toBe(true);
  });

  it.each([
    ["an old session", { auth_time: now - 3600 }],
    ["no auth_time", {}],
    ["a string", { auth_time: String(now) }],
    ["a time far ahead", { auth_time: now + 3600 }],
  ])("refuses %s", (_, claims) => {
    expect(signedInWithin(claims, 0, now, 60)).toBe(false);
  });
});
