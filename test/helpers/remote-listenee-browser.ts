// The author's browser in the provider tests: fetch with a cookie jar and hand-followed
// redirects, so each step's status, Location and Set-Cookie can be asserted.

export interface Page {
  status: number;
  url: string;
  location?: string;
  body: string;
  setCookies: string[];
}

export class Browser {
  readonly cookies = new Map<string, string>();

  async request(
    url: string,
    init: { method?: string; form?: Record<string, string> } = {},
  ): Promise<Page> {
    const headers: Record<string, string> = {};
    if (this.cookies.size > 0) {
      headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    }
    let body: string | undefined;
    if (init.form) {
      headers["content-type"] = "application/x-www-form-urlencoded";
      body = new URLSearchParams(init.form).toString();
    }
    const res = await fetch(url, {
      method: init.method ?? (init.form ? "POST" : "GET"),
      headers,
      body,
      redirect: "manual",
    });
    const setCookies = res.headers.getSetCookie();
    for (const c of setCookies) {
      const [pair = ""] = c.split(";");
      const eq = pair.indexOf("=");
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (value === "" || /expires=Thu, 01 Jan 1970/i.test(c)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    const location = res.headers.get("location");
    return {
      status: res.status,
      url,
      ...(location ? { location: new URL(location, url).href } : {}),
      body: await res.text(),
      setCookies,
    };
  }

  get(url: string): Promise<Page> {
    return this.request(url);
  }

  post(url: string, form: Record<string, string>): Promise<Page> {
    return this.request(url, { form });
  }

  /** GETs `url` and follows up to `max` redirects; returns every page on the way. */
  async follow(url: string, max = 5): Promise<Page[]> {
    const pages: Page[] = [];
    let next: string | undefined = url;
    for (let i = 0; next && i <= max; i++) {
      const page = await this.get(next);
      pages.push(page);
      next = page.status >= 300 && page.status < 400 ? page.location : undefined;
    }
    return pages;
  }
}

/** A hidden form field's value from a page (our pages write `name="…" value="…"`). */
export function hiddenField(html: string, name: string): string | undefined {
  const m = new RegExp(`name="${name}" value="([^"]*)"`).exec(html);
  return m?.[1]
    ?.replaceAll("&quot;", '"')
    .replaceAll("&#39;", "'")
    .replaceAll("&lt;", "<")
    .replaceAll("&gt;", ">")
    .replaceAll("&amp;", "&");
}

/** A form's action URL (the first form posting to a path ending in `suffix`). */
export function formAction(html: string, suffix: string): string | undefined {
  for (const m of html.matchAll(/<form method="post" action="([^"]*)"/g)) {
    const action = (m[1] ?? "").replaceAll("&amp;", "&");
    if (new URL(action).pathname.endsWith(suffix)) return action;
  }
  return undefined;
}
