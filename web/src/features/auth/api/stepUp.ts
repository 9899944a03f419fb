/**
 * A fresh sign-in for a sensitive act (RFC 9470 step-up): the API answers 401
 * `insufficient-user-authentication` when the token's sign-in is too old for the route (deleting
 * the account). The app then signs the traveler in again (OIDC `max_age=0`, `prompt=login`),
 * comes back to the same page, and asks for the act to be confirmed once more: it is never run
 * by itself after the redirect.
 *
 * What to offer again crosses the redirect in sessionStorage, with who asked: it is offered only
 * to the same traveler, once, and within a few minutes (a tab left on the sign-in page for an
 * hour does not come back to a pending deletion).
 */
import { type Problem, problemKind } from "../../../lib/problems";

export const STEP_UP = "insufficient-user-authentication";

/** Whether `problem` asks for a fresh sign-in before the request is tried again. */
export function needsFreshSignIn(problem: Pick<Problem, "type">): boolean {
  return problemKind(problem) === STEP_UP;
}

const RESUME = "skyfare.resume";
// Long enough to type a password (and look for it); short enough that it is still the same visit.
export const RESUME_TTL_MS = 10 * 60_000;

interface Resume {
  action: string;
  subject: string;
  at: number; // ms since the epoch
}

/** Remember to offer `action` again to `subject` once they are back from signing in. */
export function rememberResume(action: string, subject: string, now: number = Date.now()): void {
  const resume: Resume = { action, subject, at: now };
  sessionStorage.setItem(RESUME, JSON.stringify(resume));
}

/**
 * Whether `action` waits to be offered again to `subject`: not another traveler (someone else
 * signed in instead), not after `RESUME_TTL_MS`. Only reads, so a render may ask (twice, under
 * StrictMode); the screen then calls `forgetResume` in an effect, so it is offered once.
 */
export function resumeWaiting(action: string, subject: string, now: number = Date.now()): boolean {
  const resume = read();
  if (!resume || resume.action !== action || resume.subject !== subject) return false;
  return now - resume.at >= 0 && now - resume.at <= RESUME_TTL_MS;
}

/** Forget what waits for `action` (another action's is left for its own screen), and anything
 * that is not one. */
export function forgetResume(action: string): void {
  const resume = read();
  if (!resume || resume.action === action) sessionStorage.removeItem(RESUME);
}

/** Forget whatever waits, for any action: the traveler who asked signed out. */
export function forgetEveryResume(): void {
  sessionStorage.removeItem(RESUME);
}

function read(): Resume | null {
  const raw = sessionStorage.getItem(RESUME);
  if (!raw) return null;
  try {
    const value = JSON.parse(raw) as Partial<Resume> | null;
    if (typeof value?.action === "string" && typeof value.subject === "string" && typeof value.at === "number") {
      return { action: value.action, subject: value.subject, at: value.at };
    }
  } catch {
    // not ours, or damaged: forgotten with the next `forgetResume`
  }
  return null;
}

/**
 * Whether an ID token's `auth_time` (OIDC Core §2) is within `maxAge` seconds of `now` (with
 * `skew` seconds of clock difference either way). OIDC Core §3.1.2.1: a provider asked for
 * `max_age` must send `auth_time`, and the client checks it — a provider that ignored the request
 * and answered with an old session would otherwise send the traveler round in circles.
 */
export function signedInWithin(
  claims: { [claim: string]: unknown },
  maxAge: number,
  now: number,
  skew: number,
): boolean {
  const authTime = claims.auth_time;
  if (typeof authTime !== "number" || !Number.isFinite(authTime)) return false;
  return authTime <= now + skew && now - authTime <= maxAge + skew;
}
