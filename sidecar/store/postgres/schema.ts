/**
 * The PostgreSQL store's schema as an ordered list of migrations. Each step has a version
 * number; `schema_version` holds one row per applied step. A released step is never
 * edited: a change is a new step at the end.
 *
 * Record bodies are `json` (kept as written; unlike `jsonb` it takes any string a remote
 * server sends, U+0000 included); what a step checks or orders by is a column of its own.
 */
export interface Migration {
  version: number;
  description: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: "the store's tables",
    sql: `
CREATE TABLE log_head (
  only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
  head bigint NOT NULL DEFAULT 0,
  sync_state json NOT NULL DEFAULT '{"initialized":false}'
);
INSERT INTO log_head DEFAULT VALUES;
CREATE TABLE outbound (seq bigint PRIMARY KEY, body json NOT NULL);
CREATE TABLE published (uri text PRIMARY KEY, seq bigint NOT NULL, body json NOT NULL);
CREATE TABLE destinations (
  key text PRIMARY KEY,
  pos bigserial UNIQUE,
  protocol text NOT NULL,
  url text NOT NULL,
  cursor_seq bigint NOT NULL,
  attempts integer NOT NULL DEFAULT 0,
  retry_at text,
  failing_since text,
  last_error text,
  gave_up_at text
);
CREATE TABLE followers (
  id text PRIMARY KEY,
  pos bigserial UNIQUE,
  protocol text NOT NULL,
  destination text NOT NULL,
  credential text NOT NULL,
  body json NOT NULL
);
CREATE INDEX followers_by_destination ON followers (destination, pos);
CREATE TABLE followed (
  id text PRIMARY KEY,
  pos bigserial UNIQUE,
  protocol text NOT NULL,
  credential text NOT NULL,
  body json NOT NULL
);
CREATE TABLE failures (id text PRIMARY KEY, pos bigserial UNIQUE, body json NOT NULL);
CREATE TABLE request_tokens (
  token text PRIMARY KEY,
  pos bigserial,
  state text NOT NULL CHECK (state IN ('issued', 'authorized', 'used')),
  source text,
  created_ms bigint NOT NULL,
  listenee json,
  body json NOT NULL
);
CREATE INDEX request_tokens_issued ON request_tokens (source, pos) WHERE state = 'issued';
CREATE INDEX request_tokens_age ON request_tokens (created_ms);
CREATE TABLE access_tokens (token text PRIMARY KEY, body json NOT NULL);
CREATE TABLE pending_subscriptions (
  request_token text PRIMARY KEY,
  created_ms bigint NOT NULL,
  body json NOT NULL
);
CREATE TABLE nonces (key text PRIMARY KEY, expires_ms bigint NOT NULL);
CREATE INDEX nonces_expiry ON nonces (expires_ms);
CREATE TABLE inbox (uri text PRIMARY KEY, pos bigserial UNIQUE, body json NOT NULL);
CREATE TABLE kv (
  key text COLLATE "C" PRIMARY KEY,
  pos bigserial,
  value text NOT NULL,
  expires_ms bigint
);
CREATE INDEX kv_expiry ON kv (expires_ms) WHERE expires_ms IS NOT NULL;
CREATE TABLE secrets (name text PRIMARY KEY, value text NOT NULL);
CREATE TABLE destination_leases (key text PRIMARY KEY, owner text NOT NULL, until_ms bigint NOT NULL);
CREATE TABLE daily_deliveries (
  day text PRIMARY KEY,
  delivered integer NOT NULL DEFAULT 0,
  retried integer NOT NULL DEFAULT 0,
  refused integer NOT NULL DEFAULT 0,
  gave_up integer NOT NULL DEFAULT 0
);
`,
  },
];

/** The version this build of eleventy-federation needs. */
export const LATEST_VERSION = MIGRATIONS.at(-1)?.version ?? 0;

/** Holds `schema_version`; created by the first migration run, before any step. */
export const VERSION_TABLE_SQL = `
CREATE TABLE IF NOT EXISTS schema_version (
  version integer PRIMARY KEY,
  description text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
)`;
