/** The owner's browser sessions: signed cookie ids, logins kept in the store, HMAC CSRF tokens. */
import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { CookieOptions, Request, Response } from "express";
import type { Config } from "../config.js";
import type { Store } from "../store/store.js";

/**
 * The session cookie's name. Cookies ignore the port, so two sidecars on one host (the demo,
 * the browser test) would log each other out under one name: a non-default port is added.
 */
export function sessionCookieName(publicUrl: string): string {
  const port = new URL(publicUrl).port;
  return port ? `federation_session_${port}` : "federation_session";
}

/**
 * The owner's browser session. Every browser that opens an owner page gets a random id in a
 * signed cookie (HttpOnly, SameSite=Lax, Secure when the public URL is https). The id is
 * "logged in" only while the store holds its login (a key–value entry named by the id's hash,
 * expiring with the session), so every sidecar process on one store knows it and a restart
 * keeps it: a login replaces the id (no fixation), a logout deletes it. The CSRF token of every form is an HMAC of
 * the id (the synchronizer-token pattern, with node:crypto, compared in constant time), so
 * a page of another site cannot produce it.
 */
export class OwnerSessions {
  #store: Store;
  #config: Pick<Config, "publicUrl" | "login">;
  #keys: Promise<{ cookie: string; csrf: string }> | null = null;
  readonly cookieName: string;

  constructor(store: Store, config: Pick<Config, "publicUrl" | "login">) {
    this.#store = store;
    this.#config = config;
    this.cookieName = sessionCookieName(config.publicUrl);
  }

  /** Kept in the store, so cookies signed before a restart still verify. */
  #secretKeys(): Promise<{ cookie: string; csrf: string }> {
    this.#keys ??= (async () => ({
      cookie: await this.#store.secret("owner-cookie"),
      csrf: await this.#store.secret("owner-csrf"),
    }))();
    return this.#keys;
  }

  get #lifetimeMs(): number {
    return this.#config.login.sessionHours * 3600_000;
  }

  #cookieOptions(): CookieOptions {
    return {
      httpOnly: true,
      sameSite: "lax",
      secure: this.#config.publicUrl.startsWith("https:"),
      path: "/",
      maxAge: this.#lifetimeMs,
    };
  }

  /** The verified id from the request's cookie, or undefined. */
  async #idFrom(req: Request): Promise<string | undefined> {
    const raw = (req.cookies as Record<string, unknown> | undefined)?.[this.cookieName];
    if (typeof raw !== "string") return undefined;
    const dot = raw.lastIndexOf(".");
    if (dot <= 0) return undefined;
    const id = raw.slice(0, dot);
    const { cookie } = await this.#secretKeys();
    return equalText(raw.slice(dot + 1), mac(cookie, id)) ? id : undefined;
  }

  async #setId(req: Request, res: Response, id: string): Promise<void> {
    const { cookie } = await this.#secretKeys();
    const value = `${id}.${mac(cookie, id)}`;
    res.cookie(this.cookieName, value, this.#cookieOptions());
    // Later reads in the same request must see the new id.
    req.cookies = { ...(req.cookies ?? {}), [this.cookieName]: value };
  }

  /** The browser's id, creating it (and its cookie) on first visit. */
  async browserId(req: Request, res: Response): Promise<string> {
    const existing = await this.#idFrom(req);
    if (existing) return existing;
    const id = randomBytes(24).toString("base64url");
    await this.#setId(req, res, id);
    return id;
  }

  async isOwner(req: Request): Promise<boolean> {
    const id = await this.#idFrom(req);
    if (!id) return false;
    const login = (await this.#store.kvGet(sessionKey(id))) as { expires?: number } | undefined;
    return typeof login?.expires === "number" && login.expires > Date.now();
  }

  /** The CSRF token for this browser's forms. */
  async csrfToken(req: Request, res: Response): Promise<string> {
    const id = await this.browserId(req, res);
    return mac((await this.#secretKeys()).csrf, `csrf\n${id}`);
  }

  /** Whether a posted CSRF token belongs to this browser (constant-time comparison). */
  async checkCsrf(req: Request, given: string | undefined): Promise<boolean> {
    const id = await this.#idFrom(req);
    if (!id || !given) return false;
    return equalText(given, mac((await this.#secretKeys()).csrf, `csrf\n${id}`));
  }

  /** After a correct password: a fresh id, remembered as logged in. */
  async logIn(req: Request, res: Response): Promise<void> {
    const id = randomBytes(24).toString("base64url");
    const ttlMs = this.#lifetimeMs;
    await this.#store.kvSet(sessionKey(id), { expires: Date.now() + ttlMs }, { ttlMs });
    await this.#setId(req, res, id);
  }

  async logOut(req: Request, res: Response): Promise<void> {
    const id = await this.#idFrom(req);
    if (id) await this.#store.kvDelete(sessionKey(id));
    res.clearCookie(this.cookieName, { ...this.#cookieOptions(), maxAge: undefined });
  }
}

/** The store's entry for a logged-in id: its hash, so the store never holds a usable cookie id. */
function sessionKey(id: string): string {
  return `owner-session:${createHash("sha256").update(id).digest("base64url")}`;
}

function mac(key: string, data: string): string {
  return createHmac("sha256", key).update(data).digest("base64url");
}

/** Constant-time equality of two strings; different lengths compare against themselves. */
export function equalText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  const same = x.length === y.length;
  return timingSafeEqual(x, same ? y : x) && same;
}
