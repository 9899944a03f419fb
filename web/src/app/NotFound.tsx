import { Link, useLocation } from "react-router";

/** An address the app has no screen for (a typo, an old link): the server answers it with the
 * shell and a 404 (skyfare/webapp.py), and this says so, with the way back. */
export function NotFound() {
  const { pathname } = useLocation();
  return (
    <div className="not-found">
      <h1>Page not found</h1>
      <p>
        There is no page at <code>{pathname}</code>. The address may be mistyped, or the link may be out of date.
      </p>
      <p>
        <Link to="/">Search flights</Link> from the home page, or see <Link to="/trips">My trips</Link>.
      </p>
    </div>
  );
}
