import { useRef } from "react";
import { Link, Outlet, useLocation } from "react-router";

import { OfflineBanner } from "../components/OfflineBanner";
import { SessionMenu } from "../features/auth";
import { useHeadingFocus } from "../lib/headingFocus";

/** Header, the screen, and focus moved to the new screen's heading on navigation. */
export function Layout() {
  const location = useLocation();
  const main = useRef<HTMLElement>(null);
  useHeadingFocus(main, location.pathname, true);
  return (
    <>
      <a className="skip-link" href="#main">
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
      <main id="main" ref={main}>
        <Outlet />
      </main>
    </>
  );
}
