import { useRef } from "react";
import { Link, Outlet, useLocation } from "react-router";

import { OfflineBanner } from "../components/OfflineBanner";
import { SessionMenu, SignedOutNotice } from "../features/auth";
import { useTitleFromHeading } from "../lib/documentTitle";
import { focusHeading, useHeadingFocus } from "../lib/headingFocus";

/** Header, the screen, and focus moved to the new screen's heading on navigation; the tab's
 * title follows that heading. */
export function Layout() {
  const location = useLocation();
  const main = useRef<HTMLElement>(null);
  useHeadingFocus(main, location.pathname, true);
  useTitleFromHeading(main);
  return (
    <>
      <a
        className="skip-link"
        href="#main"
        // Focus itself, not the fragment: following "#main" left focus on the body (a screen
        // reader stayed at the top) and put "#main" in the address and the history.
        onClick={(event) => {
          event.preventDefault();
          if (!focusHeading(main.current)) main.current?.focus();
        }}
      >
        Skip to content
      </a>
      <header className="site-header">
        <Link to="/" className="brand">
          Skyfare
        </Link>
        <nav aria-label="Main">
          <Link to="/">Search</Link>
          <SessionMenu />
        </nav>
      </header>
      <OfflineBanner />
      <SignedOutNotice />
      <main id="main" ref={main} tabIndex={-1}>
        <Outlet />
      </main>
    </>
  );
}
