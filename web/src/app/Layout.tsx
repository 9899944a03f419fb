import { useEffect, useRef } from "react";
import { Link, Outlet, useLocation } from "react-router";

import { OfflineBanner } from "../components/OfflineBanner";
import { SessionMenu } from "../features/auth";

/** Header, the screen, and focus moved to the new screen's heading on navigation. */
export function Layout() {
  const location = useLocation();
  const main = useRef<HTMLElement>(null);
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    const focusHeading = () => {
      const heading = main.current?.querySelector("h1");
      if (!heading) return false;
      heading.setAttribute("tabindex", "-1");
      heading.focus();
      return true;
    };
    if (focusHeading() || !main.current) return;
    // A screen loaded on first use (React.lazy) draws its heading a moment later.
    const observer = new MutationObserver(() => {
      if (focusHeading()) observer.disconnect();
    });
    observer.observe(main.current, { childList: true, subtree: true });
    const timer = window.setTimeout(() => observer.disconnect(), 10_000);
    return () => {
      observer.disconnect();
      window.clearTimeout(timer);
    };
  }, [location.pathname]);
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
