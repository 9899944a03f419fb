import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";

import { busyButton } from "../../../lib/attempt";
import { Field } from "../../../components/Field";
import { ProblemNotice } from "../../../components/ProblemNotice";
import { focusFirstInvalid } from "../../../lib/focusInvalid";
import { localMoment } from "../../../lib/format";
import { fieldErrors } from "../../../lib/problems";
import { openCase, type SupportCase, supportKeys, type SupportProblem, useCases } from "../api/cases";

const STATUS: Record<SupportCase["status"], string> = {
  open: "Open: waiting for an answer",
  answered: "Answered",
  closed: "Closed",
};

/** Contact support about this trip, and the cases already opened about it with their answers. */
export function SupportCases({ orderId }: { orderId: string }) {
  const queryClient = useQueryClient();
  const { data: cases, error, refetch } = useCases((all) => all.some((c) => c.order_id === orderId && c.status === "open"));
  // An answer came: what the agent did may have changed the trip (a name corrected, the trip
  // cancelled), so the trip and its history are read again.
  const waiting = (cases ?? []).filter((c) => c.order_id === orderId && c.status === "open").length;
  const waited = useRef(waiting);
  useEffect(() => {
    if (waiting < waited.current) void queryClient.invalidateQueries({ queryKey: ["orders"] });
    waited.current = waiting;
  }, [waiting, queryClient]);
  const [writing, setWriting] = useState(false);
  const [subject, setSubject] = useState("");
  const [message, setMessage] = useState("");
  // The form opens at the traveler's request (never on arrival): its first field takes the focus.
  // Sent or cancelled, the form is gone: focus goes back to the button that opened it (it fell to
  // the page's body); the "sent" line is announced as a status.
  const subjectField = useRef<HTMLInputElement>(null);
  const contact = useRef<HTMLButtonElement>(null);
  const opened = useRef(false);
  useEffect(() => {
    if (writing) subjectField.current?.focus();
    else if (opened.current) contact.current?.focus();
    opened.current = writing;
  }, [writing]);
  // One Idempotency-Key per case written: sent again with the same words (after a failure whose
  // answer may have been lost) it is the case opened, if it was; other words are another case.
  const draft = useRef<{ key: string; words: string } | null>(null);
  // Sending now: a second submit (Enter in a field; the button is only aria-disabled) before the
  // page has even redrawn as pending sends nothing more.
  const sending = useRef(false);
  const send = useMutation<SupportCase, SupportProblem>({
    mutationFn: () => {
      const words = JSON.stringify([subject, message]);
      if (draft.current?.words !== words) draft.current = { key: crypto.randomUUID(), words };
      return openCase(orderId, subject, message, draft.current.key);
    },
    onSettled: () => {
      sending.current = false;
    },
    onSuccess: (opened) => {
      draft.current = null;
      queryClient.setQueryData<SupportCase[]>(supportKeys.cases, (old) => [opened, ...(old ?? [])]);
      setWriting(false);
      setSubject("");
      setMessage("");
    },
  });
  // Refused or not sent: to the field refused, else back to Send (disabled while sending, it
  // lost the focus to the page's body).
  const form = useRef<HTMLFormElement>(null);
  useEffect(() => {
    if (send.error) focusFirstInvalid(form.current, form.current?.querySelector<HTMLElement>('button[type="submit"]'));
  }, [send.error]);
  const mine = (cases ?? []).filter((c) => c.order_id === orderId);
  const errors = send.error ? fieldErrors(send.error.problem, (f) => (f === "subject" || f === "message" ? f : undefined)) : null;

  return (
    <section className="conditions support" aria-labelledby="support-heading">
      <h2 id="support-heading">Help with this trip</h2>
      {error && <ProblemNotice problem={error.problem} backing="support" retry={() => void refetch()} />}
      {send.isSuccess && !writing && (
        <p role="status" className="saved">
          Your message was sent to support. Their answer will appear here.
        </p>
      )}
      {mine.length > 0 && (
        <ul className="cases" aria-label="Support cases">
          {mine.map((c) => (
            <li key={c.id}>
              <CaseCard supportCase={c} />
            </li>
          ))}
        </ul>
      )}
      {writing ? (
        <form
          ref={form}
          className="card-form case-form"
          aria-label="Contact support"
          onSubmit={(event) => {
            event.preventDefault();
            if (sending.current) return;
            sending.current = true;
            send.mutate();
          }}
        >
          {send.error && <ProblemNotice problem={send.error.problem} backing="support" other={errors?.other ?? []} />}
          <Field id="subject" label="Subject" error={errors?.byField.subject}>
            {(aria) => (
              <input ref={subjectField} id="subject" name="subject" type="text" required value={subject} onChange={(e) => setSubject(e.target.value)} {...aria} />
            )}
          </Field>
          <Field id="message" label="Message" error={errors?.byField.message} hint="What can we help with? Never send card numbers.">
            {(aria) => (
              <textarea id="message" name="message" rows={5} required value={message} onChange={(e) => setMessage(e.target.value)} {...aria} />
            )}
          </Field>
          <p className="actions">
            <button type="submit" className="primary" {...busyButton(send.isPending)}>
              Send to support
            </button>
            <button type="button" className="secondary" onClick={() => setWriting(false)}>
              Cancel
            </button>
          </p>
        </form>
      ) : (
        <button ref={contact} type="button" className="secondary" onClick={() => setWriting(true)}>
          Contact support
        </button>
      )}
    </section>
  );
}

function CaseCard({ supportCase }: { supportCase: SupportCase }) {
  return (
    <article className="case" aria-label={`Case: ${supportCase.subject}`}>
      <h3>{supportCase.subject}</h3>
      {/* a status: the answer arriving while the traveler is on the page is announced */}
      <p className={`case-status case-${supportCase.status}`} role="status">
        <strong>Status:</strong> {STATUS[supportCase.status]}
      </p>
      <ol className="messages" aria-label="Messages">
        {supportCase.messages.map((m, index) => (
          <li key={index} className={`message message-${m.author}`}>
            <p className="meta">
              {m.author === "traveler" ? "You" : (m.agent ?? "Support")} · <time dateTime={m.at}>{localMoment(m.at)}</time>
            </p>
            <p>{m.body}</p>
          </li>
        ))}
      </ol>
    </article>
  );
}
