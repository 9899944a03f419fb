import { Link } from "react-router";

export function NotFound() {
  return (
    <div>
      <h1>Page not found</h1>
      <p>
        <Link to="/">Search flights</Link>
      </p>
    </div>
  );
}
