/**
 * Where to go after signing in. `?next=` comes from the address bar, so only a path on
 * this site is followed: "//evil.example" or "https://…" would make the login page an
 * open redirect.
 */
export function safeNext(next: string | null | undefined, fallback: string): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\'))
    return fallback;
  // Parsing settles tricks like "/\t/evil" that browsers normalize to another host.
  const url = new URL(next, 'http://same.invalid');
  if (url.host !== 'same.invalid') return fallback;
  return url.pathname + url.search + url.hash;
}

/** The sign-in page, with the current page as the place to come back to. */
export function loginHref(current: URL, loginPath: string): string {
  const here = current.pathname + current.search;
  return here === '/' || here.startsWith(loginPath)
    ? loginPath
    : `${loginPath}?next=${encodeURIComponent(here)}`;
}
