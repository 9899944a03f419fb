import { useQueryClient } from "@tanstack/react-query";
import { useRef, useState } from "react";

import { ProblemNotice } from "../../../components/ProblemNotice";
import { useAfterRender } from "../../../lib/afterRender";
import { dayWords } from "../../../lib/format";
import type { Problem } from "../../../lib/problems";
import {
  addTraveler,
  changeTraveler,
  getTraveler,
  MeProblem,
  meKeys,
  removeTraveler,
  type Traveler,
  useTravelers,
} from "../api/me";
import { newTraveler, travelerDraft, travelerPatch } from "../model";
import { TravelerForm } from "./TravelerForm";

const DOCUMENT = { passport: "Passport", id_card: "Identity card" } as const;

/** The companions saved to book in one tap: add, edit, delete; document numbers masked until asked.
 * Focus never falls to the page: a form opened takes it, and gives it back to the button that
 * opened it; a deletion leaves it on the section's heading. What was saved or deleted is said. */
export function SavedTravelers({ subject }: { subject: string }) {
  const queryClient = useQueryClient();
  const { data: travelers, error, isPending, refetch } = useTravelers(subject);
  const [adding, setAdding] = useState(false);
  const [said, setSaid] = useState("");
  const heading = useRef<HTMLHeadingElement>(null);
  const addButton = useRef<HTMLButtonElement>(null);
  const afterRender = useAfterRender();
  const refresh = () => queryClient.invalidateQueries({ queryKey: meKeys.travelers(subject) });
  const closeForm = (saved?: Traveler) => {
    afterRender(() => addButton.current?.focus());
    setSaid(saved ? savedSentence(saved) : "");
    setAdding(false);
  };
  const deleted = (name: string) => {
    afterRender(() => heading.current?.focus());
    setSaid(`${name} is deleted from your saved travelers.`);
  };
  return (
    <section className="card-section" aria-labelledby="travelers-heading">
      <h2 id="travelers-heading" ref={heading} tabIndex={-1}>
        Saved travelers
      </h2>
      <p className="meta">People you often book for: choose them on the passengers page instead of typing.</p>
      {error && <ProblemNotice problem={error.problem} backing="profile" retry={() => void refetch()} />}
      {isPending && <p role="status">Loading your travelers…</p>}
      {travelers && travelers.length === 0 && <p>No saved travelers yet.</p>}
      {travelers && travelers.length > 0 && (
        <ul className="travelers" aria-label="Saved travelers">
          {travelers.map((traveler) => (
            <li key={traveler.id} className="trip-card">
              <TravelerItem traveler={traveler} onChanged={refresh} onSaid={setSaid} onDeleted={deleted} />
            </li>
          ))}
        </ul>
      )}
      {/* Always drawn: a live region added with its words already in it is often not read out. */}
      <p role="status" className="saved">
        {said}
      </p>
      {adding ? (
        <TravelerForm
          title="New traveler"
          initial={travelerDraft()}
          onCancel={() => closeForm()}
          onSave={async (draft) => {
            const saved = await addTraveler(newTraveler(draft));
            await refresh();
            closeForm(saved);
          }}
        />
      ) : (
        <button
          type="button"
          className="secondary"
          ref={addButton}
          onClick={() => {
            setSaid("");
            setAdding(true);
          }}
        >
          Add a traveler
        </button>
      )}
    </section>
  );
}

const savedSentence = (traveler: Traveler) => `${traveler.given_name} ${traveler.family_name} is saved.`;

interface ItemProps {
  traveler: Traveler;
  onChanged: () => Promise<unknown>;
  onSaid: (words: string) => void;
  onDeleted: (name: string) => void;
}

function TravelerItem({ traveler, onChanged, onSaid, onDeleted }: ItemProps) {
  const [revealed, setRevealed] = useState<string | null>(null);
  const [editing, setEditing] = useState<{ traveler: Traveler; etag: string | null } | null>(null);
  const [deleting, setDeleting] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const editButton = useRef<HTMLButtonElement>(null);
  const deleteButton = useRef<HTMLButtonElement>(null);
  const question = useRef<HTMLDivElement>(null);
  const afterRender = useAfterRender();
  const name = `${traveler.given_name} ${traveler.family_name}`;
  const fail = (error: unknown) =>
    setProblem(error instanceof MeProblem ? error.problem : { type: "about:blank", status: 0 });
  const closeForm = (saved?: Traveler) => {
    afterRender(() => editButton.current?.focus());
    onSaid(saved ? savedSentence(saved) : "");
    setEditing(null);
  };
  const ask = (open: boolean) => {
    // Open: the question, never its yes (an Enter must not delete); kept: back to Delete.
    afterRender(() => (open ? question.current : deleteButton.current)?.focus());
    onSaid("");
    setDeleting(open);
  };

  if (editing) {
    const before = travelerDraft(editing.traveler);
    return (
      <TravelerForm
        title={`Edit ${name}`}
        initial={before}
        maskedNumber={editing.traveler.document?.number}
        onCancel={() => closeForm()}
        onSave={async (draft) => {
          const patch = travelerPatch(before, draft);
          const saved = Object.keys(patch).length > 0 ? await changeTraveler(traveler.id, patch, editing.etag) : null;
          await onChanged();
          closeForm(saved ?? editing.traveler);
        }}
      />
    );
  }
  const document = traveler.document;
  return (
    <article aria-label={name}>
      <h3>{name}</h3>
      {problem && <ProblemNotice problem={problem} backing="profile" />}
      <p>
        Born {dayWords(traveler.born_on)}
        {traveler.loyalty_accounts.length > 0 &&
          ` · ${traveler.loyalty_accounts.map((a) => `${a.airline_iata_code} ${a.account_number}`).join(", ")}`}
      </p>
      {document && (
        <p>
          {/* Live: shown, the number is read out (Show's new name, under the focus, is not). */}
          {DOCUMENT[document.type]}{" "}
          <span className="reference" aria-live="polite">
            {revealed ?? document.number}
          </span>{" "}
          (
          {document.issuing_country}, expires {dayWords(document.expires_on)}){" "}
          <button
            type="button"
            className="link-button"
            aria-label={revealed ? `Hide ${name}'s document number` : `Show ${name}'s document number`}
            onClick={() =>
              revealed
                ? setRevealed(null)
                : void getTraveler(traveler.id, true).then(({ data }) => setRevealed(data.document?.number ?? null), fail)
            }
          >
            {revealed ? "Hide number" : "Show number"}
          </button>
        </p>
      )}
      {deleting ? (
        <div className="notice warning" role="group" aria-label={`Delete ${name}?`} ref={question} tabIndex={-1}>
          <p>
            Delete {name} from your saved travelers? Trips already booked for them are not changed.
          </p>
          <p className="actions">
            <button
              type="button"
              className="primary"
              onClick={() =>
                void removeTraveler(traveler.id)
                  .then(onChanged)
                  .then(() => onDeleted(name), fail)
              }
            >
              Yes, delete {name}
            </button>
            <button type="button" className="secondary" onClick={() => ask(false)}>
              Keep
            </button>
          </p>
        </div>
      ) : (
        <p className="actions">
          <button
            type="button"
            className="secondary"
            aria-label={`Edit ${name}`}
            ref={editButton}
            onClick={() =>
              void getTraveler(traveler.id).then(({ data, etag }) => {
                onSaid("");
                setEditing({ traveler: data, etag });
              }, fail)
            }
          >
            Edit
          </button>
          <button
            type="button"
            className="secondary"
            aria-label={`Delete ${name}`}
            ref={deleteButton}
            onClick={() => ask(true)}
          >
            Delete
          </button>
        </p>
      )}
    </article>
  );
}
