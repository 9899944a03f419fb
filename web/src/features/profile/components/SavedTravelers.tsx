import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";

import { ProblemNotice } from "../../../components/ProblemNotice";
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

/** The companions saved to book in one tap: add, edit, delete; document numbers masked until asked. */
export function SavedTravelers({ subject }: { subject: string }) {
  const queryClient = useQueryClient();
  const { data: travelers, error, isPending, refetch } = useTravelers(subject);
  const [adding, setAdding] = useState(false);
  const refresh = () => queryClient.invalidateQueries({ queryKey: meKeys.travelers(subject) });
  return (
    <section className="card-section" aria-labelledby="travelers-heading">
      <h2 id="travelers-heading">Saved travelers</h2>
      <p className="meta">People you often book for: choose them on the passengers page instead of typing.</p>
      {error && <ProblemNotice problem={error.problem} backing="profile" retry={() => void refetch()} />}
      {isPending && <p role="status">Loading your travelers…</p>}
      {travelers && travelers.length === 0 && <p>No saved travelers yet.</p>}
      {travelers && travelers.length > 0 && (
        <ul className="travelers" aria-label="Saved travelers">
          {travelers.map((traveler) => (
            <li key={traveler.id} className="trip-card">
              <TravelerItem traveler={traveler} onChanged={refresh} />
            </li>
          ))}
        </ul>
      )}
      {adding ? (
        <TravelerForm
          title="New traveler"
          initial={travelerDraft()}
          onCancel={() => setAdding(false)}
          onSave={async (draft) => {
            await addTraveler(newTraveler(draft));
            await refresh();
            setAdding(false);
          }}
        />
      ) : (
        <button type="button" className="secondary" onClick={() => setAdding(true)}>
          Add a traveler
        </button>
      )}
    </section>
  );
}

function TravelerItem({ traveler, onChanged }: { traveler: Traveler; onChanged: () => Promise<unknown> }) {
  const [revealed, setRevealed] = useState<string | null>(null);
  const [editing, setEditing] = useState<{ traveler: Traveler; etag: string | null } | null>(null);
  const [deleting, setDeleting] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const name = `${traveler.given_name} ${traveler.family_name}`;
  const fail = (error: unknown) =>
    setProblem(error instanceof MeProblem ? error.problem : { type: "about:blank", status: 0 });

  if (editing) {
    const before = travelerDraft(editing.traveler);
    return (
      <TravelerForm
        title={`Edit ${name}`}
        initial={before}
        maskedNumber={editing.traveler.document?.number}
        onCancel={() => setEditing(null)}
        onSave={async (draft) => {
          const patch = travelerPatch(before, draft);
          if (Object.keys(patch).length > 0) await changeTraveler(traveler.id, patch, editing.etag);
          await onChanged();
          setEditing(null);
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
        Born {traveler.born_on}
        {traveler.loyalty_accounts.length > 0 &&
          ` · ${traveler.loyalty_accounts.map((a) => `${a.airline_iata_code} ${a.account_number}`).join(", ")}`}
      </p>
      {document && (
        <p>
          {DOCUMENT[document.type]} <span className="reference">{revealed ?? document.number}</span> (
          {document.issuing_country}, expires {document.expires_on}){" "}
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
        <div className="notice warning" role="group" aria-label={`Delete ${name}?`}>
          <p>
            Delete {name} from your saved travelers? Trips already booked for them are not changed.
          </p>
          <p className="actions">
            <button
              type="button"
              className="primary"
              onClick={() => void removeTraveler(traveler.id).then(onChanged, fail)}
            >
              Yes, delete {name}
            </button>
            <button type="button" className="secondary" onClick={() => setDeleting(false)}>
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
            onClick={() => void getTraveler(traveler.id).then(({ data, etag }) => setEditing({ traveler: data, etag }), fail)}
          >
            Edit
          </button>
          <button type="button" className="secondary" aria-label={`Delete ${name}`} onClick={() => setDeleting(true)}>
            Delete
          </button>
        </p>
      )}
    </article>
  );
}
