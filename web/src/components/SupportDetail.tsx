/** Something for Skyfare support rather than for the traveler to act on (a card gateway's code,
 * an airline's own words), quoted as sent, beside the sentence that tells it. */
export function SupportDetail({ label, text }: { label: string; text: string }) {
  return (
    <p className="meta">
      {label}: <code>{text}</code>
    </p>
  );
}
