import { afterDecline, decline, declineSentence } from "../lib/declines";
import { sentence } from "../lib/format";
import { SupportDetail } from "./SupportDetail";

/** The API's words on why something was not done (a problem's `detail`, a change's
 * `failure_reason`) as sentences. A declined card (`declineCode`, the API's field) is told in
 * words with its next step (lib/declines), naming `amount` when the screen knows it; the
 * gateway's code stays on the page for support, never as the message. */
export function FailureDetail({
  detail,
  declineCode,
  amount = null,
}: {
  detail: string;
  declineCode?: string | null;
  amount?: string | null;
}) {
  if (!declineCode) return detail ? <p>{sentence(detail)}</p> : null;
  const told = decline(declineCode);
  const rest = afterDecline(detail);
  return (
    <>
      <p data-decline-code={told.code}>
        {declineSentence(told, amount)} {told.next}
      </p>
      {rest && <p>{sentence(rest)}</p>}
      <SupportDetail label="Code for support" text={told.code} />
    </>
  );
}
