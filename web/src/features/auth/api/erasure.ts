import type { Middleware } from "openapi-fetch";

import { api } from "../../../lib/api/client";
import { isProblem, problemKind } from "../../../lib/problems";
import { getSession } from "../../../lib/session";
import { signOut } from "./oidc";
import { signedOutBecause } from "./signOutReason";

/**
 * The API's 401 `account-erased` (users/service.py): this tab signed in before its account was
 * deleted, in another tab or on another device, and asked for what would make the profile
 * again. Whatever screen asked, the tab is signed out as `signOut` does (tokens forgotten, the
 * refresh token revoked: its refreshes carry the same old sign-in and would be refused too),
 * and `SignedOutNotice` says why until the next sign-in.
 */
export const ACCOUNT_ERASED = "account-erased";

export const erasureWatch: Middleware = {
  async onResponse({ response }) {
    if (response.status !== 401 || !getSession()) return undefined;
    const body: unknown = await response.clone().json().catch(() => null);
    if (isProblem(body) && problemKind(body) === ACCOUNT_ERASED) {
      signedOutBecause(ACCOUNT_ERASED);
      signOut();
    }
    return undefined; // the screen gets the answer as it came
  },
};
api.use(erasureWatch);
