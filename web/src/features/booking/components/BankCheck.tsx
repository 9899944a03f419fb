import { type ReactNode, useEffect, useRef, useState } from "react";

import { useAfterRender } from "../../../lib/afterRender";
import { focusInView } from "../../../lib/focusInView";

/** What the trip says once the order's payment waits for the bank and the dialog is not shown:
 * `shown`, the traveler closed the bank's page; else they came back later (My trips, a reload). */
function paymentLeft(shown: boolean): string {
  const why = shown ? "You closed your bank’s page before confirming" : "Your bank has not confirmed this payment yet";
  return `${why}, so this payment is not done and nothing has been charged. Pay now to confirm it with your bank, or use another card instead (this payment is then canceled).`;
}

/**
 * The card's bank asking the traveler to confirm a payment (3-D Secure), on the trip page: the
 * bank's page (`url`, the charge's `next_action`) in a modal dialog, as Stripe.js's
 * handleNextAction shows it. The order's own payment and a seat change's charge use it alike.
 * The trip page stays loaded under it and follows the charge, and its parent unmounts this once
 * the charge is settled: the dialog goes and the page says the outcome. No sign-in again: the
 * app's tokens live in its memory (lib/session.ts), which a full navigation to the bank would
 * lose. Closing the dialog (Close, Escape) is giving up for now: the charge still waits for the
 * bank (nothing is charged), said in `gaveUp` (by default the order payment's words: a
 * sentence, or one told whether the bank's page was shown here, as `paymentLeft` is), the
 * `reopen` button opens its page again (by default: Pay now), beside the caller's other ways out
 * (`children`: the order payment's Use another card, which cancels this payment first, docs/
 * payments.md "Another card instead"; a flight change's Give up this change).
 * `closed`: the dialog is not shown (the traveler closed it, or came to the trip later: the
 * parent holds it, and the trip's heading says it too), `onClosedChange` sets it (Close,
 * Escape: true; the reopen button: false).
 * `focusLeft`: closing the dialog moves the focus to the line saying the charge was left at the
 * bank, scrolled into view, not to the screen's heading: for a charge told far down the trip
 * under a heading that stays as it was (a seat change's, under "Your trip is booked": on a phone
 * the line was below the fold, and a screen reader started at the heading). The order's own
 * payment retitles the heading instead ("Confirm the payment with your bank"), the line just
 * under it.
 * `onAnswered`: the bank's page sent its frame back (to /bank-return): ask for the charge now.
 */
export function BankCheck({
  url,
  closed,
  onClosedChange: setClosed,
  onAnswered,
  gaveUp,
  reopen = "Pay now",
  focusLeft = false,
  children,
}: {
  url: string;
  closed: boolean;
  onClosedChange: (closed: boolean) => void;
  onAnswered: () => void;
  gaveUp?: string | ((shown: boolean) => string);
  reopen?: string;
  focusLeft?: boolean;
  children?: ReactNode;
}) {
  // Whether the bank's page was shown here: a traveler who came back later (My trips, a new
  // tab) did not close anything. Kept here only: `gaveUp` is told it.
  const [shown, setShown] = useState(!closed);
  const left = typeof gaveUp === "string" ? gaveUp : (gaveUp ?? paymentLeft)(shown);
  const line = useRef<HTMLParagraphElement>(null);
  const afterRender = useAfterRender();
  const close = () => {
    // After the dialog has gone (it hands the focus back to the heading as it goes).
    if (focusLeft) afterRender(() => focusInView(line.current));
    setClosed(true);
  };
  return (
    <>
      <p role="status" ref={line} tabIndex={focusLeft ? -1 : undefined} className={focusLeft ? "bank-left" : undefined}>
        {closed && left}
      </p>
      {closed ? (
        <p className="actions">
          <button
            type="button"
            className="primary"
            onClick={() => {
              setShown(true);
              setClosed(false);
            }}
          >
            {reopen}
          </button>
          {children}
        </p>
      ) : (
        <BankDialog url={url} onClose={close} onAnswered={onAnswered} />
      )}
    </>
  );
}

/** The bank's page in a modal `<dialog>`: focus moves in when it opens and back when it goes. */
function BankDialog({ url, onClose, onAnswered }: { url: string; onClose: () => void; onAnswered: () => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const loads = useRef(0);
  useEffect(() => {
    const element = dialog.current;
    const active = document.activeElement;
    const opener = active instanceof HTMLElement && active !== document.body ? active : null;
    if (typeof element?.showModal === "function") element.showModal();
    else element?.setAttribute("open", ""); // no modal dialogs (jsdom): shown, at least
    return () => {
      // Focus was on the page's body (Pay's screen just went), or its heading has been redrawn
      // as the payment moved: the screen's heading, where a screen reader starts.
      const back = opener?.isConnected ? opener : document.querySelector<HTMLElement>("h1");
      back?.focus();
    };
  }, []);
  useFullNavigationIfRefused(url);
  return (
    // Escape closes a modal dialog natively: its `close` event is the traveler's giving up.
    <dialog ref={dialog} className="bank-dialog" aria-labelledby="bank-dialog-title" onClose={onClose}>
      <div className="bank-dialog-head">
        <h2 id="bank-dialog-title">Confirm with your bank</h2>
        <button type="button" className="secondary" onClick={() => dialog.current?.close()}>
          Close
        </button>
      </div>
      <p className="price-note">Your bank asks you to confirm this payment. This page shows the outcome once it is through.</p>
      <iframe
        src={url}
        title="Your bank’s page"
        onLoad={() => {
          // The first load is the bank's page; any next one is its answer sending the frame back.
          loads.current += 1;
          if (loads.current > 1) onAnswered();
        }}
      />
      <p className="price-note">
        Your bank’s page not showing? <a href={url}>Open it in this window</a> (you will sign in again after it).
      </p>
    </dialog>
  );
}

/** The app's Content-Security-Policy lets only the payment gateway's origin be framed
 * (skyfare/webapp.py, from its settings): a bank's page elsewhere is refused in the frame, so the
 * app goes there by full navigation instead, the one case left for it. */
function useFullNavigationIfRefused(url: string) {
  useEffect(() => {
    const origin = new URL(url).origin;
    const refused = (event: SecurityPolicyViolationEvent) => {
      if (event.effectiveDirective === "frame-src" && event.blockedURI.startsWith(origin)) window.location.assign(url);
    };
    document.addEventListener("securitypolicyviolation", refused);
    return () => document.removeEventListener("securitypolicyviolation", refused);
  }, [url]);
}
