/**
 * What the inbox content fuzzer's activities are made of (ap-content-cases.ts makes them):
 * the parties (signers, the victims' records, the site's posts, a ledger of what each signer
 * made), the labels a case is generated as (who the actor and author are, where a reply
 * points, whom a post is addressed to) with what each stands for in JSON, the envelope every
 * activity shares, and the store keys an activity of a signer may write.
 */
import fc from "fast-check";
import { reactionKey, replyKey } from "../../../sidecar/interactions/records.js";
import type { Accounts, SignatureSpec } from "./ap-accounts.js";
import { GARBAGE_IDS, oddText, sometimes } from "./ap-content-values.js";
import { CLOSED_ORIGIN } from "./ap-world.js";
import type { FuzzRequest } from "./sender.js";

export type Json = Record<string, unknown>;
export type ContentType = "Create" | "Update" | "Delete" | "Announce" | "Like" | "Undo";
export const CONTENT_TYPES: readonly ContentType[] = [
  "Create",
  "Update",
  "Delete",
  "Announce",
  "Like",
  "Undo",
];

export const AS = "https://www.w3.org/ns/activitystreams";

/** Who signs: an account on a loopback server, or the peer. */
export interface Signer {
  name: string;
  id: string;
  origin: string;
  /** The site follows this account: its posts and boosts go on the timeline. */
  followed: boolean;
  sign(url: string, path: string, activity: Json, spec: SignatureSpec): Promise<FuzzRequest>;
}

/** What was stored before the fuzzing, by accounts that never sign a fuzzed activity. */
export interface Victims {
  /** alice: a pending reply to post 1, a like of post 2, a boost of post 3. */
  author: string;
  reply: string;
  like: string;
  boost: string;
  /** fay, followed: a post and a boost on the timeline. */
  notice: string;
  boostNotice: string;
}

export interface ContentParties {
  /** The sidecar's URL, ending in "/". */
  sidecar: string;
  us: string;
  /** The site's posts: manifest URI (also the page URL) and object id. */
  posts: { uri: string; objectId: string }[];
  victims: Victims;
  /** The loopback server of alice, fay and the same-origin signers. */
  social: Accounts;
  peerOrigin: string;
  /** Another real actor (the test actor). */
  other: string;
  ledger: Ledger;
}

/** Ids each signer made so far: what an Update, Delete or Undo of its own may name. */
export class Ledger {
  #n = 0;
  readonly notes = new Map<string, string[]>();
  readonly activities = new Map<string, string[]>();

  fresh(origin: string, what: string): string {
    return `${origin}/${what}/${++this.#n}`;
  }

  add(book: Map<string, string[]>, signer: string, id: string): string {
    book.set(signer, [...(book.get(signer) ?? []), id]);
    return id;
  }

  last(book: Map<string, string[]>, signer: string): string | undefined {
    return book.get(signer)?.at(-1);
  }
}

export interface Built {
  activity: Json;
  signer: Signer;
  spec: SignatureSpec;
  /** Store writes it may make, as "table key" ("table *": any key of that table). */
  allowed: string[];
  /** Notifications it may add. */
  notifies: number;
  /** Its actor is its signer: a 2xx may be right (else only a 4xx is). */
  mayAccept: boolean;
  labels: Record<string, unknown>;
}

/** A case, built when sent (ids are handed out, objects put on the server, in that order). */
export type ContentCase = () => Built;

export interface CaseOptions {
  signers: readonly Signer[];
  /** Labels of the activity's actor (default: mostly the signer, now and then someone else). */
  actors?: fc.Arbitrary<ActorLabel>;
  /** Values nested past the inbox's depth limit too. */
  deep: boolean;
}

// ── labels and what they stand for ───────────────────────────────────────────────────────

type ActorLabel = "signer" | "embedded" | "signer-first" | "victim" | "other-first" | "us" | "junk";
const ACTOR_OK = new Set<ActorLabel>(["signer", "embedded", "signer-first"]);
const ANY_ACTOR = fc.oneof(
  { weight: 12, arbitrary: fc.constant<ActorLabel>("signer") },
  fc.constantFrom<ActorLabel>("embedded", "signer-first", "victim", "other-first", "us", "junk"),
);
export const SIGNER_ONLY = fc.constantFrom<ActorLabel>("signer", "embedded");

function actorValue(label: ActorLabel, p: ContentParties, s: Signer): unknown {
  switch (label) {
    case "signer":
      return s.id;
    case "embedded":
      return { id: s.id, type: "Person" };
    case "signer-first":
      return [s.id, p.other];
    case "victim":
      return p.victims.author;
    case "other-first":
      return [p.other, s.id];
    case "us":
      return p.us;
    case "junk":
      return `${p.peerOrigin}/junk/html`;
  }
}

export type AuthorLabel =
  | "signer"
  | "embedded"
  | "signer-first"
  | "victim"
  | "us"
  | "other"
  | "junk";
export const AUTHOR_OK = new Set<AuthorLabel>(["signer", "embedded", "signer-first"]);
export const AUTHOR = fc.oneof(
  { weight: 10, arbitrary: fc.constant<AuthorLabel>("signer") },
  fc.constantFrom<AuthorLabel>("embedded", "signer-first", "victim", "us", "other", "junk"),
);

export function authorValue(
  label: AuthorLabel,
  p: ContentParties,
  s: Signer,
  junk: unknown,
): unknown {
  switch (label) {
    case "victim":
      return p.victims.author;
    case "us":
      return p.us;
    case "other":
      return p.other;
    case "junk":
      return junk;
    default:
      return actorValue(label, p, s);
  }
}

const POST_TYPES = ["Note", "Article", "Question", "Page"];
export const OBJECT_TYPE = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom<unknown>(...POST_TYPES) },
  fc.constantFrom<unknown>(
    "Event",
    "Frobnicate",
    "Person",
    "Tombstone",
    "Image",
    "",
    42,
    ["Note", "Article"],
    ["Frobnicate", "Note"],
  ),
);
/** Possibly a post (an array of types counts when one of them is). */
export const postLike = (t: unknown) =>
  POST_TYPES.includes(t as string) ||
  (Array.isArray(t) && t.some((x) => POST_TYPES.includes(x as string)));

/** Where a reply points: the site's post (by object id, page URL, embedded), a reply in its thread, or elsewhere. */
export type ReplyLabel =
  | "post-object"
  | "post-page"
  | "embedded-post"
  | "victim-reply"
  | "ours-first"
  | "unknown-page"
  | "unknown-object"
  | "remote"
  | "closed"
  | "junk"
  | "none";
export const OURS = new Set<string>([
  "post-object",
  "post-page",
  "embedded-post",
  "victim-reply",
  "ours-first",
]);
export const REPLY_TO = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom<ReplyLabel>("post-object", "post-page") },
  {
    weight: 5,
    arbitrary: fc.constantFrom<ReplyLabel>(
      "embedded-post",
      "victim-reply",
      "ours-first",
      "unknown-page",
      "unknown-object",
      "remote",
      "closed",
      "junk",
      "none",
    ),
  },
);

export function postRef(p: ContentParties, label: string, i: number): unknown {
  const post = p.posts[i % p.posts.length] as { uri: string; objectId: string };
  switch (label) {
    case "post-object":
      return post.objectId;
    case "post-page":
      return post.uri;
    case "embedded-post":
      return { id: post.objectId, type: "Note", attributedTo: p.us };
    case "victim-reply":
      return p.victims.reply;
    case "ours-first":
      return [post.objectId, `${p.social.origin}/notes/elsewhere`];
    case "unknown-page":
      return `${p.sidecar}posts/99/`;
    case "unknown-object":
      return `${p.sidecar}ap/posts/${"f".repeat(32)}`;
    case "remote":
      return `${p.social.origin}/notes/unknown`;
    case "closed":
      return `${CLOSED_ORIGIN}/notes/1`;
    default:
      return undefined;
  }
}

export const postUriOf = (p: ContentParties, i: number) =>
  (p.posts[i % p.posts.length] as { uri: string }).uri;

/** Every like and boost key of one account: all an Undo or a Delete of itself may touch. */
export function reactionKeys(p: ContentParties, actor: string): string[] {
  return (["like", "boost"] as const).flatMap((kind) =>
    p.posts.map((post) => `kv ${reactionKey(kind, post.uri, actor)}`),
  );
}

/** What a Delete of the signer's own actor may remove: everything of it. */
export function everythingOf(p: ContentParties, s: Signer): string[] {
  return [
    ...(p.ledger.notes.get(s.id) ?? []).flatMap((id) => [`kv ${replyKey(id)}`, `inbox ${id}`]),
    ...reactionKeys(p, s.id),
    `kv activitypub:reply:${s.id}`,
    `kv activitypub:follow-request:${s.id}`,
    `followers ${s.id}`,
  ];
}

/**
 * Whom a post or boost is addressed to. Only public ones (in `to` or, unlisted, in `cc`) may
 * reach the site's pages; `as:Public` is the same IRI compacted, so it may count too.
 */
export type Audience = "public" | "unlisted" | "compact" | "followers" | "direct" | "none" | "odd";
export const PUBLIC_AUDIENCE = new Set<Audience>(["public", "unlisted", "compact"]);
export const AUDIENCE = fc.oneof(
  { weight: 10, arbitrary: fc.constant<Audience>("public") },
  fc.constantFrom<Audience>("unlisted", "compact", "followers", "direct", "none", "odd"),
);
export const PUBLIC = `${AS}#Public`;

export function audience(label: Audience, p: ContentParties, s: Signer): Json {
  const followers = `${s.id}/followers`;
  switch (label) {
    case "public":
      return { to: [PUBLIC], cc: [followers] };
    case "unlisted":
      return { to: [followers], cc: [PUBLIC] };
    case "compact":
      return { to: "as:Public" };
    case "followers":
      return { to: [followers] };
    case "direct":
      return { to: [p.us], cc: [] };
    case "none":
      return {};
    case "odd":
      return { to: 7, cc: { id: "x" } };
  }
}

// ── the envelope every activity shares ───────────────────────────────────────────────────

type IdLabel = "fresh" | "closed" | "garbage" | "none";
const ACTIVITY_ID = fc.oneof(
  { weight: 12, arbitrary: fc.constant<IdLabel>("fresh") },
  fc.constantFrom<IdLabel>("closed", "garbage", "none"),
);

export interface Envelope {
  signer: Signer;
  spec: SignatureSpec;
  actor: ActorLabel;
  id: IdLabel;
  /** The activity's own addressing (what a boost on the timeline needs public). */
  audience: Audience;
  junk: unknown;
  extra: Json;
}

export function envelopes(opts: CaseOptions): fc.Arbitrary<Envelope> {
  return fc.record({
    signer: fc.constantFrom(...opts.signers),
    spec: fc.constantFrom<SignatureSpec>("draft-cavage-http-signatures-12", "rfc9421"),
    actor: opts.actors ?? ANY_ACTOR,
    id: ACTIVITY_ID,
    audience: AUDIENCE,
    junk: fc.constantFrom(...GARBAGE_IDS),
    extra: fc
      .record({
        published: sometimes(fc.constantFrom<unknown>("2024-01-01T00:00:00Z", "garbage"), 4),
        summary: sometimes(oddText(opts), 4),
      })
      .map((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined))),
  });
}

/**
 * The activity around `object`. Its id, when it is one Fedify may take (a junk id may parse
 * as a URL: `javascript:x`, `urn:…`), so that `usable` says what a Like or boost may be kept as.
 */
export function activity(p: ContentParties, e: Envelope, type: ContentType, object: unknown) {
  const id =
    e.id === "fresh"
      ? p.ledger.fresh(e.signer.origin, "activities")
      : e.id === "closed"
        ? p.ledger.fresh(CLOSED_ORIGIN, "activities")
        : e.id === "garbage"
          ? e.junk
          : undefined;
  const json: Json = {
    "@context": AS,
    ...e.extra,
    ...audience(e.audience, p, e.signer),
    ...(id === undefined ? {} : { id }),
    type,
    actor: actorValue(e.actor, p, e.signer),
    ...(object === undefined ? {} : { object }),
  };
  const known = e.id === "fresh" || e.id === "closed" ? (id as string) : undefined;
  return { json, known, usable: known !== undefined || typeof id === "string" };
}

export function built(
  e: Envelope,
  json: Json,
  allowed: string[],
  notifies: number,
  labels: Record<string, unknown>,
): Built {
  return {
    activity: json,
    signer: e.signer,
    spec: e.spec,
    allowed: ACTOR_OK.has(e.actor) ? allowed : [],
    notifies: ACTOR_OK.has(e.actor) ? notifies : 0,
    mayAccept: ACTOR_OK.has(e.actor),
    labels: { signer: e.signer.name, actor: e.actor, id: e.id, audience: e.audience, ...labels },
  };
}
