/**
 * A minimal browser for interop tests: one request at a time, redirects not followed (the
 * test follows them to see each hop), cookies kept per host, and aliases that play a
 * reverse proxy (a public origin such as http://site.example is sent to the real address).
 */

export interface Visit {
  status: number;
  /** The Location header resolved to an absolute URL (before aliasing). */
  location: string | undefined;
  body: string;
  headers: Headers;
  /** The Set-Cookie lines of this response. */
  setCookies: string[];
}

export class Browser {
  /** host (as the browser sees it) → cookie name → value */
  readonly cookies = new Map<string, Map<string, string>>();

  constructor(private readonly aliases: Record<string, string> = {}) {}

  async get(url: string): Promise<Visit> {
    return this.send(url, { method: "GET" });
  }

  async postForm(url: string, fields: Record<string, string>): Promise<Visit> {
    return this.send(url, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(fields).toString(),
    });
  }

  /** GET the Location of a redirect. */
  async follow(visit: Visit): Promise<Visit> {
    if (!visit.location) throw new Error(`not a redirect: HTTP ${visit.status}`);
    return this.get(visit.location);
  }

  async send(url: string, init: RequestInit): Promise<Visit> {
    const seen = new URL(url);
    const jar = this.cookies.get(seen.hostname);
    const headers = new Headers(init.headers);
    if (jar && jar.size > 0)
      headers.set("Cookie", [...jar].map(([k, v]) => `${k}=${v}`).join("; "));
    const res = await fetch(this.resolve(url), {
      ...init,
      headers,
      redirect: "manual",
      signal: AbortSignal.timeout(20_000),
    });
    const setCookies = res.headers.getSetCookie();
    for (const line of setCookies) this.store(seen.hostname, line);
    const location = res.headers.get("location");
    return {
      status: res.status,
      location: location === null ? undefined : new URL(location, url).href,
      body: await res.text(),
      headers: res.headers,
      setCookies,
    };
  }

  private resolve(url: string): string {
    for (const [from, to] of Object.entries(this.aliases)) {
      if (url.startsWith(from)) return to + url.slice(from.length);
    }
    return url;
  }

  private store(host: string, line: string): void {
    const [pair = "", ...attrs] = line.split(";");
    const eq = pair.indexOf("=");
    if (eq <= 0) return;
    const name = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    const expired = attrs.some((a) => {
      const [k = "", v = ""] = a.trim().split("=");
      return (
        (k.toLowerCase() === "max-age" && Number(v) <= 0) ||
        (k.toLowerCase() === "expires" && Date.parse(v) <= Date.now())
      );
    });
    const jar = this.cookies.get(host) ?? new Map<string, string>();
    if (expired || value === "") jar.delete(name);
    else jar.set(name, value);
    this.cookies.set(host, jar);
  }
}
