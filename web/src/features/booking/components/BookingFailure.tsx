import { useEffect, useRef } from "react";
import { Link } from "react-router";

import { ProblemNotice } from "../../../components/ProblemNotice";
import { focusFirstInvalid } from "../../../lib/focusInvalid";
import { money } from "../../../lib/format";
import { type FieldError, type Problem, problemKind } from "../../../lib/problems";
import { lastResults } from "../../../lib/seenOffers";

interface Props {
  problem: Problem;
  other: FieldError[];
  onAccept: () => void; // book again at the new price
}

/** A refused booking in words, with the way forward: a new price to accept or leave (409), a
 * sold-out offer (409 without a price) or an expired one (410) to choose again from the results. */
export function BookingFailure({ problem, other, onAccept }: Props) {
  const kind = problemKind(problem);
  const box = useRef<HTMLDivElement>(null);
  // The buttons that failed are at the foot of a long form: focus to the first field marked
  // wrong, else to the message (and its way forward).
  useEffect(() => {
    focusFirstInvalid(box.current?.closest("form"), box.current);
  }, [problem]);
  const newPrice =
    kind === "conflict" && typeof problem.total_amount === "string"
      ? money(problem.total_amount, typeof problem.total_currency === "string" ? problem.total_currency : "USD")
      : null;
  return (
    <div ref={box} tabIndex={-1} className="failure">
    <ProblemNotice problem={problem} other={other}>
      {newPrice && (
        <>
          <p>
            The new price is <strong>{newPrice}</strong>.
          </p>
          <p className="actions">
            <button type="button" className="primary" onClick={onAccept}>
              Book at {newPrice}
            </button>
            <Link to={lastResults()}>Back to results</Link>
          </p>
        </>
      )}
      {/* sold out, or the airline refused it: another flight is the way on */}
      {kind === "conflict" && !newPrice && (
        <p>
          <Link to={lastResults()}>Back to results</Link>
        </p>
      )}
      {kind === "gone" && (
        <p>
          <Link to={lastResults()}>Search again</Link>
        </p>
      )}
    </ProblemNotice>
    </div>
  );
}
