import type { ReactNode, Ref } from "react";

import { describe, type FieldError, type Problem } from "../lib/problems";

interface Props {
  problem: Problem;
  other?: FieldError[]; // field errors no field on the page can show
  children?: ReactNode;
  /** To move the focus here (a refusal that replaced the button pressed): it is focusable then. */
  ref?: Ref<HTMLDivElement>;
}

/** A failure in words (lib/problems), with its next step. */
export function ProblemNotice({ problem, other = [], children, ref }: Props) {
  const { message, next } = describe(problem);
  return (
    <div className="notice error" role="alert" ref={ref} tabIndex={ref ? -1 : undefined}>
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
