import { declineIn, declineSentence } from "../lib/declines";
import { sentence } from "../lib/format";

/** The API's words on why something was not done (a problem's `detail`, a change's
 * `failure_reason`) as sentences. A card decline in them is told in words with its next step
 * (lib/declines); the gateway's code stays on the page for support, never as the message. */
export function FailureDetail({ detail }: { detail: string }) {
  const found = declineIn(detail);
  if (!found) return detail ? <p>{sentence(detail)}</p> : null;
  return (
    <>
      <p data-decline-code={found.code}>
        {declineSentence(found)} {found.next}
      </p>
      {found.rest && <p>{sentence(found.rest)}</p>}
      <p className="meta">
        Code for support: <code>{found.code}</code>
      </p>
    </>
  );
}
