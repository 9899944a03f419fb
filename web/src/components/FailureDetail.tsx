import type { FailureWords } from "../lib/changeFailures";
import { SupportDetail } from "./SupportDetail";

/** Why something was not done, in our words (lib/changeFailures), under the screen's own `lead`
 * ("Your flight was not changed."), with its next step; what is for support (a gateway's code,
 * the API's sentence when no code said why) on its own line, never as the message. */
export function FailureDetail({ lead, words }: { lead: string; words: FailureWords }) {
  return (
    <>
      <p>
        <strong>{words.lead ?? lead}</strong> {words.text}
      </p>
      <p>{words.next}</p>
      {words.support && <SupportDetail label={words.support.label} text={words.support.text} />}
    </>
  );
}
