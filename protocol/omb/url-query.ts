/**
 * Appends an encoded query to a URL as StatusNet did (OMB.md §3 step 3): `?` when the URL
 * has no query yet, `&` when it has one, nothing after a trailing `?` or `&`; always before
 * any `#fragment`, or the browser would keep the parameters to itself.
 */
export function appendQuery(url: string, query: string): string {
  const hash = url.indexOf("#");
  const [base, fragment] = hash === -1 ? [url, ""] : [url.slice(0, hash), url.slice(hash)];
  const sep = !base.includes("?") ? "?" : base.endsWith("?") || base.endsWith("&") ? "" : "&";
  return `${base}${sep}${query}${fragment}`;
}
