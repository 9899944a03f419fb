import { useEffect, useRef } from "react";

import type { Erasure } from "../api/me";

/** What deleting the account erased and what it kept, in place of the whole profile page: nothing
 * there may ask for the profile again, which would make it anew from the sign-in's claims. */
export function ErasedAccount({ erasure, onSignOut }: { erasure: Erasure; onSignOut: () => void }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []); // the button pressed is gone with the page
  return (
    <section className="card-section" aria-labelledby="erased-heading">
      <h2 id="erased-heading" ref={heading} tabIndex={-1}>
        Your account is deleted
      </h2>
      <p role="status">{erasure.detail}</p>
      <ul>
        {erasure.kept.map((kept) => (
          <li key={kept.what}>
            Kept: {kept.count} {kept.what}. {kept.why}
          </li>
        ))}
      </ul>
      <button type="button" className="primary" onClick={onSignOut}>
        Sign out
      </button>
    </section>
  );
}
