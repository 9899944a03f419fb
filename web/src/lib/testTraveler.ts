import type { Schemas } from "./api/client";

/** For tests: one of Ada's saved travelers, a Lovelace born on `born_on`. */
export function testTraveler(id: string, given_name: string, born_on: string): Schemas["TravelerView"] {
  return {
    id,
    given_name,
    family_name: "Lovelace",
    born_on,
    gender: "f",
    loyalty_accounts: [],
    document: null,
    created_at: "2026-12-01T10:00:00Z",
    updated_at: "2026-12-01T10:00:00Z",
  };
}
