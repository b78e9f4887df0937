/**
 * Activities a hostile or broken fediverse server might send, as JSON: the ones the inbox
 * handles (Follow, Undo, Accept, Reject, Delete) and others, with fields that are right,
 * wrong in kind (ids that are not URLs, arrays, numbers), pointing at someone else (a Follow
 * of another actor, an Undo of a Follow that never was, a Delete of an unknown actor), or
 * missing. Every URL is on one of the world's loopback origins (see ap-world.ts).
 */
import fc from "fast-check";
import { hostileText } from "../property.js";
import { JUNK_KINDS } from "./ap-peer.js";
import { CLOSED_ORIGIN } from "./ap-world.js";

export type Json = Record<string, unknown>;

/** Who the activity is about, from the world. */
export interface Parties {
  /** Our actor's id. */
  us: string;
  /** The signer's actor id (its key signs the request). */
  signer: string;
  /** Another real actor (not the signer). */
  other: string;
  /** The peer's origin (junk documents live there). */
  peerOrigin: string;
  /** Whether a value names only the world's origins (generated text could hold a URL). */
  home(v: unknown): boolean;
}

const TYPES = ["Follow", "Undo", "Accept", "Reject", "Delete"] as const;
const OTHER_TYPES = ["Create", "Update", "Like", "Announce", "Move", "Block", "Flag", "Add"];

/** Strings that are not URLs at all, or not ones an id may be. */
const notAUrl = fc.oneof(
  fc.constantFrom(
    "",
    "not a url",
    "urn:uuid:00000000-0000-0000-0000-000000000000",
    "javascript:alert(1)",
    "data:,x",
    "mailto:a@b",
    "acct:bob@nowhere",
    "/relative/path",
    "#frag",
    "?q",
    "%zz",
    "\u0000",
    "x".repeat(5000),
  ),
  hostileText(40),
);

/** A unique suffix per generated value, so ids do not collide (Fedify dedupes by id). */
let counter = 0;
const fresh = () => `${Date.now().toString(36)}-${(counter++).toString(36)}`;

function idOf(p: Parties, what: string): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 8, arbitrary: fc.constant(() => `${p.signer}/${what}/${fresh()}`) },
    fc.constant(() => `${CLOSED_ORIGIN}/${what}/${fresh()}`),
    fc.constant(() => `${p.us}/${what}/${fresh()}`),
    notAUrl,
    fc.constantFrom(42, null, true, [], {}),
  );
}

/** An actor reference: the signer (mostly), someone else, us, a junk document, not a URL. */
function actorRef(p: Parties): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 10, arbitrary: fc.constant(p.signer) },
    fc.constant(p.other),
    fc.constant(p.us),
    fc.constantFrom(...JUNK_KINDS).map((k) => `${p.peerOrigin}/junk/${k}`),
    fc.constant({ id: p.signer, type: "Person" }),
    fc.constant([p.signer, p.other]),
    fc.constant([p.other, p.signer]),
    notAUrl,
    fc.constantFrom(7, null, {}),
  );
}

/** What an activity is about: us, someone else, an activity, an object of an unknown type. */
function objectRef(p: Parties, depth: number): fc.Arbitrary<unknown> {
  const leaf = fc.oneof(
    { weight: 6, arbitrary: fc.constant(p.us) },
    fc.constant(p.other),
    fc.constant(p.signer),
    fc.constant(`${p.signer}/follows/never-sent`),
    fc.constant(`${CLOSED_ORIGIN}/objects/1`),
    fc.constantFrom(...JUNK_KINDS).map((k) => `${p.peerOrigin}/junk/${k}`),
    fc.constant({ type: "Frobnicate", id: `${p.signer}/things/1`, content: "?" }),
    fc.constant({ type: "Tombstone", id: p.signer }),
    fc.constant({ type: ["Note", "Person"], id: `${p.signer}/x` }),
    notAUrl,
    fc.constantFrom(null, 0, [], {}),
  );
  if (depth <= 0) return leaf;
  return fc.oneof(
    { weight: 4, arbitrary: leaf },
    activityJson(p, depth - 1),
    fc.array(leaf, { maxLength: 3 }),
  );
}

/** An activity as JSON (values may be thunks for fresh ids: see `resolveIds`). */
export function activityJson(p: Parties, depth = 2): fc.Arbitrary<Json> {
  return fc
    .record(
      {
        "@context": fc.oneof(
          { weight: 8, arbitrary: fc.constant("https://www.w3.org/ns/activitystreams") },
          fc.constantFrom(
            ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
            { "@vocab": "https://www.w3.org/ns/activitystreams#" },
            `${p.peerOrigin}/junk/html`,
            `${CLOSED_ORIGIN}/context`,
            [],
            42,
          ),
        ),
        id: idOf(p, "activities"),
        type: fc.oneof(
          { weight: 8, arbitrary: fc.constantFrom(...TYPES) },
          fc.constantFrom(...OTHER_TYPES),
          fc.constantFrom("Frobnicate", "", "Person", ["Follow", "Undo"], 3),
        ),
        actor: actorRef(p),
        object: objectRef(p, depth),
        to: fc.constantFrom(p.us, "https://www.w3.org/ns/activitystreams#Public", [], "x"),
        extra: fc.dictionary(
          fc.constantFrom("__proto__", "proof", "signature", "x"),
          fc.jsonValue({ maxDepth: 2 }),
          { maxKeys: 2 },
        ),
      },
      { requiredKeys: ["type"] },
    )
    .map(({ extra, ...a }) => ({ ...a, ...(extra ?? {}) }))
    .filter(p.home);
}

/**
 * The activities the issue names, right apart from one thing: a Follow of us (accepted), a
 * Follow of someone else, an Undo of a Follow that never was, an Undo of a Follow sent
 * earlier, a Delete of an unknown actor, a Delete of the signer itself.
 */
export function namedActivity(p: Parties): fc.Arbitrary<Json> {
  const ctx = "https://www.w3.org/ns/activitystreams";
  const follow = (object: string) => ({
    "@context": ctx,
    id: () => `${p.signer}/follows/${fresh()}`,
    type: "Follow",
    actor: p.signer,
    object,
  });
  return fc.constantFrom<Json>(
    follow(p.us),
    follow(p.other),
    {
      "@context": ctx,
      id: () => `${p.signer}/undo/${fresh()}`,
      type: "Undo",
      actor: p.signer,
      object: { id: `${p.signer}/follows/never`, type: "Follow", actor: p.signer, object: p.us },
    },
    {
      "@context": ctx,
      id: () => `${p.signer}/undo/${fresh()}`,
      type: "Undo",
      actor: p.signer,
      object: `${p.signer}/follows/never`,
    },
    {
      "@context": ctx,
      id: () => `${p.signer}/undo/${fresh()}`,
      type: "Undo",
      actor: p.signer,
      object: { ...follow(p.us), id: lastFollow },
    },
    {
      "@context": ctx,
      id: () => `${p.signer}/delete/${fresh()}`,
      type: "Delete",
      actor: p.signer,
      object: `${CLOSED_ORIGIN}/users/unknown`,
    },
    {
      "@context": ctx,
      id: () => `${p.signer}/delete/${fresh()}`,
      type: "Delete",
      actor: p.signer,
      object: p.signer,
    },
    {
      "@context": ctx,
      id: () => `${p.signer}/accept/${fresh()}`,
      type: "Accept",
      actor: p.signer,
      object: `${p.us}/follows/never-sent`,
    },
  );
}

/** The id of the last Follow built (an Undo of it undoes a real follow). */
let last = "";
const lastFollow = () => last;

/** Replaces id thunks by fresh ids, recursively (a copy); remembers the last Follow's id. */
export function resolveIds(v: unknown): unknown {
  if (typeof v === "function") return (v as () => unknown)();
  if (Array.isArray(v)) return v.map(resolveIds);
  if (v && typeof v === "object") {
    const out: Json = {};
    for (const [k, x] of Object.entries(v)) {
      Object.defineProperty(out, k, { value: resolveIds(x), enumerable: true, writable: true });
    }
    if (out.type === "Follow" && typeof out.id === "string") last = out.id;
    return out;
  }
  return v;
}
