import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";

import { busyButton } from "../../../lib/attempt";
import { ProblemNotice } from "../../../components/ProblemNotice";
import type { Problem } from "../../../lib/problems";
import { forgetResume, needsFreshSignIn, resumeWaiting, SignInAgainButton } from "../../auth";
import { TripsToCancel, useOrdersInFlight } from "../../trips";
import {
  downloadExport,
  eraseAccount,
  type Erasure,
  MeProblem,
  meKeys,
  useProfile,
  useTravelers,
} from "../api/me";
import { EraseQuestion } from "./EraseQuestion";

type Step = "idle" | "confirm-export" | "confirm-erase";
// Where the focus goes once the step is drawn: the button pressed is gone by then, and focus
// left on nothing starts a keyboard or screen-reader user at the top of the page again.
type Focus = "question" | "export" | "erase" | "problem" | null;
// What a fresh sign-in comes back to (features/auth stepUp): the confirmation, never the act.
const ERASE_AGAIN = "delete-account";

const asProblem = (error: unknown): Problem =>
  error instanceof MeProblem ? error.problem : { type: "about:blank", status: 0 };

/**
 * Back at the top of a long page, the question waits at its foot: it is brought into view and
 * focused (never its button: an Enter must not delete) once, on arriving. Only once the profile
 * and the saved travelers above it are drawn (the same cached queries as theirs), or they would
 * push it out of view again; and after the render's effects, as the layout focuses the page's
 * heading on arriving from the sign-in.
 */
function useFocusOnArrival(arriving: boolean, subject: string) {
  const target = useRef<HTMLDivElement>(null);
  const pending = useRef(arriving); // not when the confirmation is opened by hand later
  const profile = useProfile(subject);
  const travelers = useTravelers(subject);
  const drawn = !profile.isPending && !travelers.isPending;
  useEffect(() => {
    if (!pending.current || !drawn) return;
    const timer = window.setTimeout(() => {
      pending.current = false;
      target.current?.focus();
    }, 0);
    return () => window.clearTimeout(timer);
  }, [drawn]);
  return target;
}

/**
 * Export my data and delete my account: each says what it does, and waits for a yes. Deleting
 * needs a recent sign-in: refused for an old one, it offers to sign in again, and back here asks
 * for the yes once more.
 */
export function YourData({
  subject,
  email,
  onErased,
}: {
  subject: string;
  email: string | null;
  /** Deleted: the page shows what was erased and kept instead of itself (ErasedAccount). */
  onErased: (erasure: Erasure) => void;
}) {
  const queryClient = useQueryClient();
  // Back from signing in again to delete: the confirmation is open, waiting for the yes.
  const [signedInAgain, setSignedInAgain] = useState(() => resumeWaiting(ERASE_AGAIN, subject));
  const [step, setStep] = useState<Step>(signedInAgain ? "confirm-erase" : "idle");
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  useEffect(() => forgetResume(ERASE_AGAIN), []); // offered once: a reload shows the page as usual
  const confirmation = useFocusOnArrival(signedInAgain, subject);
  // Consumed after the render that draws the target: every step change renders.
  const focus = useRef<Focus>(null);
  const exportButton = useRef<HTMLButtonElement>(null);
  const eraseButton = useRef<HTMLButtonElement>(null);
  const notice = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (focus.current === null) return;
    const target = {
      question: confirmation.current, // whichever question is open: never its button, an Enter must not act
      export: exportButton.current,
      erase: eraseButton.current,
      problem: notice.current,
    }[focus.current];
    focus.current = null;
    target?.focus();
  });
  const setFocus = (target: Focus) => {
    focus.current = target;
  };

  function ask(next: Step) {
    setStep(next);
    setFocus(next === "idle" ? null : "question");
  }

  function keep(opener: "export" | "erase") {
    setSignedInAgain(false);
    setStep("idle");
    setFocus(opener);
  }

  async function run(opener: "export" | null, action: () => Promise<void>) {
    setBusy(true);
    setSignedInAgain(false);
    setProblem(null);
    setDone(null);
    try {
      await action();
      if (opener) setFocus(opener);
    } catch (error) {
      setProblem(asProblem(error));
      setFocus("problem"); // its next step (Sign in again, the trips to cancel) is the next Tab
    } finally {
      setBusy(false);
      setStep("idle");
    }
  }

  const inFlight = Array.isArray(problem?.orders_in_flight) ? (problem.orders_in_flight as string[]) : [];
  return (
    <section className="card-section" aria-labelledby="data-heading">
      <h2 id="data-heading">Your data</h2>
      {problem && (
        <ProblemNotice problem={problem} backing="profile" ref={notice}>
          {needsFreshSignIn(problem) && <SignInAgainButton action={ERASE_AGAIN} subject={subject} loginHint={email} />}
          {inFlight.length > 0 && <RefusedFor subject={subject} ids={inFlight} />}
        </ProblemNotice>
      )}
      {/* Always drawn: a live region added with its words already in it is often not read out. */}
      <p role="status" className="saved">
        {done}
      </p>
      {step === "confirm-export" ? (
        <div className="notice warning" role="group" aria-label="Download your data?" ref={confirmation} tabIndex={-1}>
          <p>
            The file holds your profile, your saved travelers with their document numbers in clear, and every trip
            with its passengers and payments. Keep it somewhere safe.
          </p>
          <p className="actions">
            <button
              type="button"
              className="primary"
              {...busyButton(busy)}
              onClick={() =>
                void run("export", async () => {
                  await downloadExport();
                  setDone("Your data is downloaded.");
                })
              }
            >
              Download my data
            </button>
            <button type="button" className="secondary" onClick={() => keep("export")}>
              Not now
            </button>
          </p>
        </div>
      ) : step === "confirm-erase" ? (
        <EraseQuestion
          subject={subject}
          signedInAgain={signedInAgain}
          busy={busy}
          ref={confirmation}
          onKeep={() => keep("erase")}
          onErase={() =>
            void run(null, async () => {
              const erasure = await eraseAccount();
              onErased(erasure); // first: the page stops asking for the profile (a read makes it again)
              queryClient.removeQueries({ queryKey: meKeys.all });
            })
          }
        />
      ) : (
        <p className="actions">
          <button type="button" className="secondary" ref={exportButton} onClick={() => ask("confirm-export")}>
            Export my data…
          </button>
          <button type="button" className="secondary" ref={eraseButton} onClick={() => ask("confirm-erase")}>
            Delete my account…
          </button>
        </p>
      )}
    </section>
  );
}

/** A refusal's trips in flight (a hold made in another tab since the question opened), named
 * from the traveler's trips read again now. */
function RefusedFor({ subject, ids }: { subject: string; ids: readonly string[] }) {
  const inFlight = useOrdersInFlight(subject);
  return <TripsToCancel trips={inFlight.data ?? []} ids={ids} />;
}
