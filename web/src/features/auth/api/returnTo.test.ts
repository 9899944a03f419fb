import { describe, expect, it } from "vitest";

import { returnPath } from "./returnTo";

/**
 * The path a sign-in started from comes from the address bar (the header's Sign in button on any
 * page, "Page not found" included), so a link to https://skyfare.example//evil.example starts it
 * at "//evil.example": after signing in the traveler must stay on this origin.
 */
const ORIGIN = "https://skyfare.example";

describe("returnPath", () => {
  it.each(["/", "/trips", "/trips/ord_1?tab=seats", "/book/off_1?order=ord_2#pay", "/results?origin=LHR&x=//y"])(
    "keeps a path of this origin: %s",
    (path) => {
      expect(returnPath(path, ORIGIN)).toBe(path);
    },
  );

  it.each([
    "//evil.example/x",
    "/\\evil.example",
    "\\\\evil.example",
    "/\t/evil.example",
    "https://evil.example/",
    "javascript:alert(1)",
    "trips",
    "",
  ])("sends anything that could leave the origin home: %j", (path) => {
    expect(returnPath(path, ORIGIN)).toBe("/");
  });
});
