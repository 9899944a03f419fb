import { type Ref, useEffect, useRef } from "react";

import { busyButton } from "../../../lib/attempt";
import { TripsToCancel, useOrdersInFlight } from "../../trips";

interface Props {
  subject: string;
  /** Back from signing in again to delete: said first, nothing deleted yet. */
  signedInAgain: boolean;
  busy: boolean;
  onErase: () => void;
  onKeep: () => void;
  /** Focused when it opens (never its button: an Enter must not delete). */
  ref: Ref<HTMLDivElement>;
}

/**
 * "Delete your account?": what deleting erases and keeps, and the yes. Trips still in flight
 * refuse a deletion (`DELETE /v1/me` 409), but only after the fresh sign-in it asks for first: so
 * they are looked up as the question opens and, while there are any, listed instead of the yes.
 * Should the look-up fail, the yes is offered and the API's own refusal lists them.
 */
export function EraseQuestion({ subject, signedInAgain, busy, onErase, onKeep, ref }: Props) {
  const inFlight = useOrdersInFlight(subject);
  const trips = inFlight.data ?? [];
  const checked = !inFlight.isPending;
  const deletable = checked && trips.length === 0;
  // Focused and scrolled to while it said "Checking your trips…", it has grown since: its trips
  // and buttons are brought into view too, unless the traveler has moved on.
  const actions = useRef<HTMLParagraphElement>(null);
  useEffect(() => {
    const end = actions.current;
    if (checked && end?.parentElement?.contains(document.activeElement)) end.scrollIntoView?.({ block: "nearest" });
  }, [checked]);
  return (
    <div className="notice error" role="group" aria-label="Delete your account?" ref={ref} tabIndex={-1}>
      {signedInAgain && (
        <p role="status">
          <strong>You signed in again.</strong> Your account is not deleted yet: confirm below if you still want to delete
          it.
        </p>
      )}
      {inFlight.isPending ? (
        <p role="status">Checking your trips…</p>
      ) : trips.length > 0 ? (
        <>
          <p>
            <strong>Some of your trips are still in progress, so your account cannot be deleted yet.</strong> Cancel the
            trips on hold listed below (or wait until they are paid or expire), then come back here to delete your
            account.
          </p>
          <TripsToCancel trips={trips} />
        </>
      ) : (
        <p>
          <strong>This cannot be undone.</strong> Your profile and saved travelers are erased, and the emails and phone
          numbers of your trips' passengers are removed. Your trips and payments are kept, as the law requires for
          bookkeeping, without your contact details. Trips on hold must be cancelled first.
        </p>
      )}
      <p className="actions" ref={actions}>
        {deletable && (
          <button type="button" className="primary danger" {...busyButton(busy)} onClick={onErase}>
            Yes, delete my account
          </button>
        )}
        <button type="button" className="secondary" onClick={onKeep}>
          Keep my account
        </button>
      </p>
    </div>
  );
}
