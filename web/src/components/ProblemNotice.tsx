import type { ReactNode, Ref } from "react";

import { asSentences, type Backing, describe, type Doing, type FieldError, mayPass, type Problem } from "../lib/problems";

interface Props {
  problem: Problem;
  other?: FieldError[]; // field errors no field on the page can show
  children?: ReactNode;
  /** To move the focus here (a refusal that replaced the button pressed): it is focusable then. */
  ref?: Ref<HTMLDivElement>;
  /** Asks the failed read again: offered only for a failure that may pass (lib/problems). A
   * reload is no way to try again here, since it signs the traveler out (lib/session). */
  retry?: () => void;
  /** What the screen stands on, for the words of a 503 (lib/problems `Backing`). */
  backing?: Backing;
  /** What the traveler was doing, for the words of a refusal that depend on it. */
  doing?: Doing;
}

/** A failure in words (lib/problems), with its next step. */
export function ProblemNotice({ problem, other = [], children, ref, retry, backing, doing }: Props) {
  const { message, next } = describe(problem, backing, doing);
  return (
    <div className="notice error" role="alert" ref={ref} tabIndex={ref ? -1 : undefined}>
      <p>
        <strong>{message}</strong> {next}
      </p>
      {retry && mayPass(problem) && (
        <p>
          <button type="button" className="secondary" onClick={retry}>
            Try again
          </button>
        </p>
      )}
      {children}
      {other.length > 0 && (
        <ul>
          {/* as sentences: some screens pass the API's `errors` as they came */}
          {asSentences(other).map((error) => (
            <li key={error.field}>{error.message}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
