/**
 * Where a finished sign-in goes: the path it started from, on this origin only.
 *
 * The path comes from the address bar, and `//evil.example` (or `/\evil.example`: browsers read
 * a backslash as a slash, and drop tabs and newlines) is a path there but another origin as a
 * link. React Router refuses to navigate to it, which left the traveler on "Signing you in…";
 * anything that resolves off this origin, or is no absolute path, goes home instead.
 */
export function returnPath(returnTo: string, origin: string = window.location.origin): string {
  const unsafe = [...returnTo].some((c) => c === "\\" || c.charCodeAt(0) < 0x20);
  if (!returnTo.startsWith("/") || returnTo.startsWith("//") || unsafe) return "/";
  let resolved: URL;
  try {
    resolved = new URL(returnTo, origin);
  } catch {
    return "/";
  }
  return resolved.origin === origin ? returnTo : "/";
}
