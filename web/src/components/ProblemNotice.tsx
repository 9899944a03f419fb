import type { ReactNode } from "react";

import { describe, type FieldError, type Problem } from "../lib/problems";

interface Props {
  problem: Problem;
  other?: FieldError[]; // field errors no field on the page can show
  children?: ReactNode;
}

/** A failure in words (lib/problems), with its next step. */
export function ProblemNotice({ problem, other = [], children }: Props) {
  const { message, next } = describe(problem);
  return (
    <div className="notice error" role="alert">
      <p>
        <strong>{message}</strong> {next}
      </p>
      {children}
      {other.length > 0 && (
        <ul>
          {other.map((error) => (
            <li key={error.field}>{error.message}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
