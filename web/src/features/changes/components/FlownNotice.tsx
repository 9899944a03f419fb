import type { Explained } from "../../../lib/problems";

/** A change refused because its flight has flown (`flownWords`): which flight, and what the
 * traveler can still do. */
export function FlownNotice({ words }: { words: Explained }) {
  return (
    <div className="notice error" role="alert">
      <p>
        <strong>{words.message}</strong> {words.next}
      </p>
    </div>
  );
}
