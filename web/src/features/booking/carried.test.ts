import { afterEach, expect, it } from "vitest";

import { setSession } from "../../lib/session";
import { signInForTest } from "../../lib/testSession";
import { carriedPassengers, carryPassengers } from "./carried";
import { drafts } from "./model";

const ADA = drafts({ adults: 1 }, { given_name: "Ada", family_name: "Lovelace" });

function signedIn(subject: string): void {
  signInForTest(subject);
}

afterEach(() => setSession(null));

it("offers the passengers carried to the new offer to the traveler who typed them, for that offer only", () => {
  signedIn("usr_ada");
  carryPassengers("usr_ada", "off_new", ADA);

  expect(carriedPassengers("usr_ada", "off_new")).toEqual(ADA);
  expect(carriedPassengers("usr_ada", "off_other")).toBeNull();
  expect(carriedPassengers("usr_alan", "off_new")).toBeNull();
});

it("forgets them when the traveler signs out", () => {
  signedIn("usr_ada");
  carryPassengers("usr_ada", "off_new", ADA);

  setSession(null);
  signedIn("usr_ada");

  expect(carriedPassengers("usr_ada", "off_new")).toBeNull();
});
