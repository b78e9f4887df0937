/**
 * The connection pool of the PostgreSQL store (node-postgres), its documented limits, and
 * errors that say what failed, where, and what to do, without ever printing the password.
 */
import pg from "pg";

/** The pool's limits; each is also what a sidecar uses when the config does not say. */
export const POOL_DEFAULTS = {
  /** Connections held at most (`store.pool.max`); callers beyond it wait for a free one. */
  max: 10,
  /** A connection must be established within this, or the query waiting for it fails. */
  connectionTimeoutMs: 10_000,
  /** An idle connection is closed after this. */
  idleTimeoutMs: 30_000,
  /** The server cancels a statement running longer than this. */
  statementTimeoutMs: 30_000,
  /** The server ends a session left idle inside a transaction this long (a stuck caller). */
  idleInTransactionTimeoutMs: 60_000,
} as const;

export interface PoolOptions {
  max?: number;
  /** Called with errors of idle connections (the server restarted, the network dropped). */
  onBackgroundError?: (err: Error) => void;
}

/** A PostgreSQL failure a user can act on: the message says what to do. */
export class PostgresError extends Error {
  override name = "PostgresError";
}

/** `host:port/database` of a connection URL: what messages show (never user or password). */
export function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    const socket = u.searchParams.get("host");
    const host = socket ?? (u.hostname || "localhost");
    return `${host}:${u.port || "5432"}${u.pathname || "/"}`;
  } catch {
    return "(an unparsable URL)";
  }
}

/** The URL with its password replaced by `***`, for hints. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "(not a URL)";
  }
}

/** Checks the shape of a `postgres://` URL before anything connects. */
export function checkDatabaseUrl(url: string): void {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new PostgresError(
      "eleventy-federation: FEDERATION_DATABASE_URL is not a URL: set it to postgres://user:password@host:5432/database",
    );
  }
  if (u.protocol !== "postgres:" && u.protocol !== "postgresql:")
    throw new PostgresError(
      `eleventy-federation: FEDERATION_DATABASE_URL must start with postgres:// (got ${u.protocol}//): postgres://user:password@host:5432/database`,
    );
}

/** Opens a pool on `url` with the limits above; nothing connects until the first query. */
export function openPool(url: string, opts: PoolOptions = {}): pg.Pool {
  checkDatabaseUrl(url);
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.max ?? POOL_DEFAULTS.max,
    connectionTimeoutMillis: POOL_DEFAULTS.connectionTimeoutMs,
    idleTimeoutMillis: POOL_DEFAULTS.idleTimeoutMs,
    statement_timeout: POOL_DEFAULTS.statementTimeoutMs,
    idle_in_transaction_session_timeout: POOL_DEFAULTS.idleInTransactionTimeoutMs,
    application_name: "eleventy-federation",
  });
  // An idle connection's error would otherwise be an unhandled 'error' event: a crash.
  pool.on("error", (err) => opts.onBackgroundError?.(err));
  return pool;
}

/** What a failed connection attempt means, as a PostgresError naming the server and the fix. */
export function connectError(e: unknown, url: string): PostgresError {
  const err = e as { code?: string; message?: string };
  const where = `PostgreSQL at ${describeUrl(url)}`;
  const code = err.code ?? (/timeout/i.test(err.message ?? "") ? "timeout" : "error");
  const hint = CONNECT_HINTS[code] ?? err.message ?? String(e);
  return new PostgresError(
    `eleventy-federation: cannot connect to ${where} (${code}): ${hint} FEDERATION_DATABASE_URL=${redactUrl(url)}`,
  );
}

const CONNECT_HINTS: Record<string, string> = {
  ECONNREFUSED: "is it running, and listening on that host and port?",
  ENOTFOUND: "no such host: check the host name in the URL.",
  EAI_AGAIN: "the host name did not resolve (DNS): check it, and the network.",
  ETIMEDOUT: "no answer: is the host reachable (firewall)?",
  timeout: `no connection within ${POOL_DEFAULTS.connectionTimeoutMs / 1000} s: is the server reachable, or overloaded?`,
  "28P01": "the password was refused: check the user and password in the URL.",
  "28000": "the server refused this user or address (pg_hba.conf): allow it there.",
  "3D000":
    "that database does not exist: create it (createdb), then run `eleventy-federation migrate`.",
  "53300":
    "the server has no free connection slots: lower store.pool.max or raise max_connections.",
  "57P03": "the server is starting up or shutting down: try again in a moment.",
};

/** Runs one query to prove the pool can connect; a PostgresError saying why otherwise. */
export async function checkConnection(pool: pg.Pool, url: string): Promise<void> {
  try {
    await pool.query("SELECT 1");
  } catch (e) {
    throw connectError(e, url);
  }
}
