/**
 * The content activities the inbox takes (Create, Update, Delete, Announce, Like, Undo),
 * generated as labels (who signs, who the actor and author are, what the object and the
 * reply target are, what the fields hold) and built into JSON when sent, each with what it
 * may write to the store. That allowance is the oracle, worked out from the labels alone:
 * a reply to one of the site's posts (or to a reply in its thread) may store that reply;
 * a Like or boost of a post, that account's reaction; the followed account's posts and
 * boosts, its timeline entries; an Update, Delete or Undo, only what its own signer made.
 * Anything else must write nothing but Fedify's caches and activity records.
 */
import fc from "fast-check";
import { reactionKey, replyKey } from "../../../sidecar/interactions/records.js";
import {
  AS,
  AUDIENCE,
  AUTHOR,
  AUTHOR_OK,
  type Audience,
  type AuthorLabel,
  activity,
  audience,
  authorValue,
  built,
  type CaseOptions,
  type ContentCase,
  type ContentParties,
  type ContentType,
  type Envelope,
  envelopes,
  everythingOf,
  type Json,
  OBJECT_TYPE,
  OURS,
  PUBLIC,
  PUBLIC_AUDIENCE,
  postLike,
  postRef,
  postUriOf,
  REPLY_TO,
  type ReplyLabel,
  reactionKeys,
  type Signer,
} from "./ap-content-parties.js";
import { postFields, profileFields } from "./ap-content-values.js";
import { JUNK_KINDS } from "./ap-peer.js";
import { CLOSED_ORIGIN } from "./ap-world.js";

export { CONTENT_TYPES } from "./ap-content-parties.js";

// ── Create and Update: a post, its author, its reply target ──────────────────────────────

type NoteId = "fresh" | "own" | "closed" | "victim-reply" | "our-post" | "followed-note" | "junk";

interface NoteSpec {
  idLabel: NoteId;
  audience: Audience;
  type: unknown;
  author: AuthorLabel;
  replyTo: ReplyLabel;
  post: number;
  /** Embedded, or only its id (then the post is put on the signer's server, if it has one). */
  bare: boolean;
  fields: Json;
}

function noteSpecs(ids: fc.Arbitrary<NoteId>, opts: CaseOptions): fc.Arbitrary<NoteSpec> {
  return fc.record({
    idLabel: ids,
    audience: AUDIENCE,
    type: OBJECT_TYPE,
    author: AUTHOR,
    replyTo: REPLY_TO,
    post: fc.nat(2),
    bare: fc.boolean(),
    fields: postFields(opts),
  });
}

function noteId(p: ContentParties, s: Signer, label: NoteId, junk: unknown): unknown {
  switch (label) {
    case "fresh":
      return p.ledger.add(p.ledger.notes, s.id, p.ledger.fresh(s.origin, "notes"));
    case "own":
      return p.ledger.last(p.ledger.notes, s.id) ?? noteId(p, s, "fresh", junk);
    case "closed":
      return p.ledger.fresh(CLOSED_ORIGIN, "notes");
    case "victim-reply":
      return p.victims.reply;
    case "our-post":
      return (p.posts[0] as { objectId: string }).objectId;
    case "followed-note":
      return p.victims.notice;
    case "junk":
      return junk;
  }
}

/** The post as JSON; when bare, put on the signer's server (if its own and new) and named by id. */
function noteObject(p: ContentParties, e: Envelope, n: NoteSpec, id: unknown): unknown {
  const replyTo = postRef(p, n.replyTo, n.post);
  const note: Json = {
    ...n.fields,
    ...audience(n.audience, p, e.signer),
    ...(id === undefined ? {} : { id }),
    type: n.type,
    attributedTo: authorValue(n.author, p, e.signer, e.junk),
    ...(replyTo === undefined ? {} : { inReplyTo: replyTo }),
  };
  if (!n.bare || typeof id !== "string") return note;
  const own = n.idLabel === "fresh" || n.idLabel === "own";
  if (own && id.startsWith(`${p.social.origin}/`)) {
    p.social.host(new URL(id).pathname, { json: { "@context": AS, ...note } });
  }
  return id;
}

/** What a relative reference (`/relative`) may resolve to against each of `bases`. */
function relativeTo(ref: unknown, bases: (string | undefined)[]): string[] {
  if (typeof ref !== "string" || !ref.startsWith("/")) return [];
  return bases.filter((b) => b !== undefined).map((b) => new URL(ref, b).href);
}

function creates(p: ContentParties, opts: CaseOptions): fc.Arbitrary<ContentCase> {
  const ids = fc.oneof(
    { weight: 10, arbitrary: fc.constant<NoteId>("fresh") },
    fc.constantFrom<NoteId>("closed", "victim-reply", "our-post", "followed-note", "junk"),
  );
  return fc.tuple(envelopes(opts), noteSpecs(ids, opts)).map(([e, n]) => () => {
    const id = noteId(p, e.signer, n.idLabel, e.junk);
    const { json, known } = activity(p, e, "Create", noteObject(p, e, n, id));
    // a relative id is resolved against the activity's (JSON-LD's base): a post of its own
    const ids = n.idLabel === "fresh" ? [id as string] : relativeTo(id, [known, e.signer.origin]);
    for (const own of n.idLabel === "fresh" ? [] : ids)
      p.ledger.add(p.ledger.notes, e.signer.id, own);
    const post =
      ids.length > 0 &&
      postLike(n.type) &&
      AUTHOR_OK.has(n.author) &&
      PUBLIC_AUDIENCE.has(n.audience);
    const reply = post && OURS.has(n.replyTo);
    const allowed = ids.flatMap((i) => [
      ...(reply ? [`kv ${replyKey(i)}`] : []),
      ...(post && e.signer.followed ? [`inbox ${i}`] : []),
    ]);
    return built(e, json, allowed, reply ? 1 : 0, { ...n, fields: Object.keys(n.fields) });
  });
}

function updates(p: ContentParties, opts: CaseOptions): fc.Arbitrary<ContentCase> {
  const ids = fc.oneof(
    { weight: 4, arbitrary: fc.constant<NoteId>("own") },
    { weight: 6, arbitrary: fc.constantFrom<NoteId>("victim-reply", "followed-note") },
    fc.constantFrom<NoteId>("fresh", "closed", "our-post", "junk"),
  );
  const targets = fc.oneof(
    { weight: 9, arbitrary: noteSpecs(ids, opts) },
    {
      weight: 2,
      arbitrary: profileFields(opts).map((fields) => ({ self: true as const, fields })),
    },
  );
  return fc.tuple(envelopes(opts), targets).map(([e, n]) => () => {
    if ("self" in n) {
      // the signer's own profile: a followed account's name and avatar are kept anew
      const profile = { ...n.fields, id: e.signer.id, type: "Person" };
      const { json } = activity(p, e, "Update", profile);
      const allowed = e.signer.followed ? [`followed ${e.signer.id}`] : [];
      return built(e, json, allowed, 0, { self: true, fields: Object.keys(n.fields) });
    }
    const id = noteId(p, e.signer, n.idLabel, e.junk);
    const { json } = activity(p, e, "Update", noteObject(p, e, n, id));
    const own =
      (n.idLabel === "own" || n.idLabel === "fresh") &&
      AUTHOR_OK.has(n.author) &&
      postLike(n.type) &&
      PUBLIC_AUDIENCE.has(n.audience);
    const allowed = own ? [`kv ${replyKey(id as string)}`, `inbox ${id}`] : [];
    return built(e, json, allowed, 0, { ...n, fields: Object.keys(n.fields) });
  });
}

// ── Delete ───────────────────────────────────────────────────────────────────────────────

type DeleteTarget =
  | "own"
  | "self"
  | "victim-reply"
  | "victim-actor"
  | "followed-note"
  | "followed-boost"
  | "our-post"
  | "us"
  | "unknown"
  | "junk";

function deletes(p: ContentParties, opts: CaseOptions): fc.Arbitrary<ContentCase> {
  const targets = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom<DeleteTarget>("own", "self") },
    {
      weight: 6,
      arbitrary: fc.constantFrom<DeleteTarget>(
        "victim-reply",
        "victim-actor",
        "followed-note",
        "followed-boost",
      ),
    },
    fc.constantFrom<DeleteTarget>("our-post", "us", "unknown", "junk"),
  );
  const spec = fc.record({
    target: targets,
    form: fc.constantFrom("bare", "tombstone", "note"),
  });
  return fc.tuple(envelopes(opts), spec).map(([e, d]) => () => {
    const s = e.signer;
    const target = {
      own: () => p.ledger.last(p.ledger.notes, s.id) ?? `${s.origin}/notes/never`,
      self: () => s.id,
      "victim-reply": () => p.victims.reply,
      "victim-actor": () => p.victims.author,
      "followed-note": () => p.victims.notice,
      "followed-boost": () => p.victims.boostNotice,
      "our-post": () => (p.posts[1] as { objectId: string }).objectId,
      us: () => p.us,
      unknown: () => `${s.origin}/notes/unknown`,
      junk: () => e.junk,
    }[d.target]();
    const object =
      d.form === "bare"
        ? target
        : { id: target, type: d.form === "tombstone" ? "Tombstone" : "Note", attributedTo: s.id };
    const { json } = activity(p, e, "Delete", object);
    const allowed =
      d.target === "self"
        ? everythingOf(p, s)
        : d.target === "own"
          ? [`kv ${replyKey(target as string)}`, `inbox ${target}`]
          : [];
    return built(e, json, allowed, 0, d);
  });
}

// ── Announce and Like: of the site's post, or of something else ──────────────────────────

type ReactTarget =
  | "post-object"
  | "post-page"
  | "embedded-post"
  | "social-note"
  | "embedded-note"
  | "victim-reply"
  | "closed"
  | "peer-junk"
  | "social-missing"
  | "social-html"
  | "social-broken"
  | "junk";
const OUR_POST = new Set<string>(["post-object", "post-page", "embedded-post"]);

function reactionObject(p: ContentParties, e: Envelope, t: ReactTarget, i: number, junk: string) {
  const s = p.social;
  switch (t) {
    case "post-object":
    case "post-page":
    case "embedded-post":
      return postRef(p, t, i);
    case "social-note": {
      // a post of someone else on the social server, put there for this boost to fetch
      const id = p.ledger.fresh(s.origin, "notes");
      const note = {
        id,
        type: "Note",
        attributedTo: s.id("erin"),
        to: PUBLIC,
        content: "<p>elsewhere</p>",
      };
      s.host(new URL(id).pathname, { json: { "@context": AS, ...note } });
      return id;
    }
    case "embedded-note":
      return {
        id: p.ledger.fresh(e.signer.origin, "notes"),
        type: "Note",
        attributedTo: e.signer.id,
        to: PUBLIC,
        content: '<p onclick="alert(1)">mine<script>alert(1)</script></p>',
      };
    case "victim-reply":
      return p.victims.reply;
    case "closed":
      return `${CLOSED_ORIGIN}/notes/1`;
    case "peer-junk":
      return `${p.peerOrigin}/junk/${junk}`;
    case "social-missing":
      return `${s.origin}/objects/missing`;
    case "social-html":
      s.host("/objects/html", { status: 200, type: "text/html", body: "<!doctype html><p>hi" });
      return `${s.origin}/objects/html`;
    case "social-broken":
      s.host("/objects/broken", { status: 200, type: "application/activity+json", body: '{"id":' });
      return `${s.origin}/objects/broken`;
    case "junk":
      return e.junk;
  }
}

function reactions(
  p: ContentParties,
  opts: CaseOptions,
  type: "Announce" | "Like",
): fc.Arbitrary<ContentCase> {
  const targets = fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom<ReactTarget>("post-object", "post-page") },
    {
      weight: 8,
      arbitrary: fc.constantFrom<ReactTarget>(
        "embedded-post",
        "social-note",
        "embedded-note",
        "victim-reply",
        "closed",
        "peer-junk",
        "social-missing",
        "social-html",
        "social-broken",
        "junk",
      ),
    },
  );
  const spec = fc.record({
    target: targets,
    post: fc.nat(2),
    junkKind: fc.constantFrom(...JUNK_KINDS),
  });
  return fc.tuple(envelopes(opts), spec).map(([e, r]) => () => {
    const object = reactionObject(p, e, r.target, r.post, r.junkKind);
    const { json, known, usable } = activity(p, e, type, object);
    if (known) p.ledger.add(p.ledger.activities, e.signer.id, known);
    const ours = OUR_POST.has(r.target) && usable;
    const kind = type === "Like" ? "like" : "boost";
    // a boost on the timeline is kept under the Announce's id (unknown when the id is junk)
    const timeline =
      type === "Announce" &&
      !OUR_POST.has(r.target) &&
      usable &&
      e.signer.followed &&
      PUBLIC_AUDIENCE.has(e.audience);
    const allowed = [
      ...(ours ? [`kv ${reactionKey(kind, postUriOf(p, r.post), e.signer.id)}`] : []),
      ...(timeline ? [`inbox ${known ?? "*"}`] : []),
    ];
    return built(e, json, allowed, ours ? 1 : 0, r);
  });
}

// ── Undo of a Like or an Announce ────────────────────────────────────────────────────────

type UndoTarget = "own" | "victim-like" | "victim-boost" | "followed-boost" | "unknown" | "junk";

function undos(p: ContentParties, opts: CaseOptions): fc.Arbitrary<ContentCase> {
  const spec = fc.record({
    target: fc.oneof(
      { weight: 3, arbitrary: fc.constant<UndoTarget>("own") },
      { weight: 6, arbitrary: fc.constantFrom<UndoTarget>("victim-like", "victim-boost") },
      fc.constantFrom<UndoTarget>("followed-boost", "unknown", "junk"),
    ),
    embedded: fc.boolean(),
    innerType: fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom("Like", "Announce") },
      fc.constantFrom("Note", "Frobnicate"),
    ),
    innerActor: fc.constantFrom<AuthorLabel>("signer", "signer", "victim", "junk"),
    post: fc.nat(2),
  });
  return fc.tuple(envelopes(opts), spec).map(([e, u]) => () => {
    const s = e.signer;
    const inner = {
      own: () => p.ledger.last(p.ledger.activities, s.id) ?? `${s.origin}/likes/never`,
      "victim-like": () => p.victims.like,
      "victim-boost": () => p.victims.boost,
      "followed-boost": () => p.victims.boostNotice,
      unknown: () => `${s.origin}/likes/unknown`,
      junk: () => e.junk,
    }[u.target]();
    const object = u.embedded
      ? {
          id: inner,
          type: u.innerType,
          actor: authorValue(u.innerActor, p, s, e.junk),
          object: postRef(p, "post-object", u.post),
        }
      : inner;
    const { json } = activity(p, e, "Undo", object);
    const allowed = [
      ...reactionKeys(p, s.id),
      ...(u.target === "own" && s.followed ? [`inbox ${inner}`] : []),
    ];
    return built(e, json, allowed, 0, u);
  });
}

/** The cases of one activity type. */
export function contentCases(
  type: ContentType,
  p: ContentParties,
  opts: CaseOptions,
): fc.Arbitrary<ContentCase> {
  switch (type) {
    case "Create":
      return creates(p, opts);
    case "Update":
      return updates(p, opts);
    case "Delete":
      return deletes(p, opts);
    case "Announce":
    case "Like":
      return reactions(p, opts, type);
    case "Undo":
      return undos(p, opts);
  }
}
