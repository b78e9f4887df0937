/**
 * The ActivityPub endpoints fuzzed over HTTP and their requests, built when sent (a
 * signature needs a fresh Date): for the documents (WebFinger, NodeInfo, the actor, its
 * collections, a post) hostile methods, paths, queries and headers; for the inboxes,
 * unsigned and malformed bodies, near-miss signatures (ap-peer.ts), keys that are junk, and
 * correctly signed activities with hostile fields from the test actor and the peer.
 */
import fc from "fast-check";
import { hostileText } from "../property.js";
import {
  activityJson,
  type Json,
  namedActivity,
  type Parties,
  resolveIds,
} from "./ap-activities.js";
import { JUNK_KINDS, MUTATIONS } from "./ap-peer.js";
import { type ApWorld, requestStaysHome, valueStaysHome } from "./ap-world.js";
import { pathVariant, request, toWireHeader } from "./endpoints.js";
import type { FuzzRequest, Outcome, Sender } from "./sender.js";
import { ANY_METHOD, optionsOk } from "./world-cases.js";

/** One request, built at send time, with what a correct answer to it may be. */
export interface ApShot {
  describe: string;
  send(sender: Sender): Promise<Outcome>;
  /** Whether a status below 400 is a correct answer (else only 4xx is). */
  mayServe(status: number): boolean;
  /** Correctly signed by a real actor: the signer's id (the store check uses it). */
  signer?: string;
}

export interface ApEndpoint {
  name: string;
  cases: fc.Arbitrary<() => Promise<ApShot>>;
  /** "none": no request may write to the store; "signed": accepted activities may. */
  writes: "none" | "signed";
}

const ACCEPTS = [
  "application/activity+json",
  'application/ld+json; profile="https://www.w3.org/ns/activitystreams"',
  "application/ld+json",
  "application/json",
  "application/jrd+json",
  "text/html",
  "text/html, application/xhtml+xml",
  "*/*",
  "application/*",
  "",
  "application/activity+json;q=0",
  "text/html;q=0.9, application/activity+json;q=0.1",
  "application/activity+json; q=garbage",
  ";;;,,,",
  "\u00ff\u00fe",
  `application/activity+json, ${"x/y, ".repeat(2000)}`,
];

const AP_TYPES = [
  "application/activity+json",
  'application/ld+json; profile="https://www.w3.org/ns/activitystreams"',
  "application/json",
  "application/activity+json; charset=utf-16",
  "text/plain",
  "application/x-www-form-urlencoded",
];

const READ_METHOD = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom("GET", "HEAD") },
  fc.constantFrom("POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "FOO"),
);

function describeRequest(r: FuzzRequest): string {
  const body = r.body ? ` body=${JSON.stringify(r.body.toString("latin1").slice(0, 300))}` : "";
  return `${r.method} ${JSON.stringify(r.path.slice(0, 300))} headers=${JSON.stringify(r.headers).slice(0, 600)}${body}`;
}

function shot(req: FuzzRequest, mayServe: (s: number) => boolean, signer?: string): ApShot {
  return {
    describe: describeRequest(req),
    send: (sender) => sender.send(req),
    mayServe,
    ...(signer ? { signer } : {}),
  };
}

/** Headers added to a request: an Accept (maybe), and a huge or odd value now and then. */
const odd = fc.record({
  accept: fc.option(fc.constantFrom(...ACCEPTS), { nil: undefined, freq: 3 }),
  extra: fc.option(
    fc.constantFrom<[string, string]>(
      ["x-huge", "a".repeat(12_000)],
      ["signature", 'keyId="x",signature="AAAA"'],
      ["forwarded", "for=10.0.0.1;proto=https"],
      ["x-forwarded-host", "elsewhere.invalid"],
      ["host", "elsewhere.invalid"],
    ),
    { nil: undefined, freq: 4 },
  ),
});

/** Requests of every shape to `paths`; a 2xx/3xx is fine for a read (GET, HEAD, OPTIONS). */
function readCases(
  world: ApWorld,
  paths: fc.Arbitrary<string>,
  names: readonly string[],
): fc.Arbitrary<() => Promise<ApShot>> {
  return (
    fc
      .tuple(
        request(READ_METHOD, paths, names, (v) => v, true),
        odd,
      )
      .map(([req, { accept, extra }]) => {
        const headers = [...req.headers];
        if (accept !== undefined) headers.push("accept", toWireHeader(accept));
        if (extra) headers.push(...extra);
        return { ...req, headers };
      })
      .filter((req) => requestStaysHome(req, world.origins))
      // Fedify answers its document routes whatever the method (a PUT gets the actor, a 303
      // to the site for a browser): no method changes anything, which the store check proves
      .map((req) => async () => shot(req, () => true))
  );
}

/** Paths with the site's identifier, another one, or a hostile one in its place. */
function withIdentifier(world: ApWorld, path: string): fc.Arbitrary<string> {
  const ids = fc.oneof(
    { weight: 4, arbitrary: fc.constant(world.nickname) },
    fc.constantFrom(
      world.nickname.toUpperCase(),
      "nobody",
      "",
      "%00",
      "..",
      "a%2Fb",
      "x".repeat(3000),
    ),
    hostileText(20).map((s) => encodeURIComponent(s.replace(/\p{Cs}/gu, "?"))),
  );
  return fc.tuple(ids, fc.boolean()).chain(([id, plain]) => {
    const p = path.replace(world.nickname, id);
    return plain ? fc.constant(p) : pathVariant(p);
  });
}

const resources = (world: ApWorld) => {
  const host = new URL(world.target.url).host;
  return fc.constantFrom(
    `acct:${world.nickname}@${host}`,
    `acct:${world.nickname.toUpperCase()}@${host}`,
    `acct:${world.nickname}@elsewhere.invalid`,
    `acct:@${host}`,
    "acct:",
    world.actorId,
    world.target.url,
    `${world.actorId}/../../`,
    `${world.nickname}@${host}`,
  );
};

/** The document endpoints: everything but the inboxes. */
export function readEndpoints(world: ApWorld): ApEndpoint[] {
  const p = world.paths;
  const host = new URL(world.target.url).host;
  const webfinger = fc
    .tuple(
      resources(world),
      fc.option(fc.constantFrom("self", "http://webfinger.net/rel/profile-page", "x"), {
        nil: undefined,
      }),
    )
    .map(
      ([r, rel]) =>
        `/.well-known/webfinger?resource=${encodeURIComponent(r)}${rel ? `&rel=${encodeURIComponent(rel)}` : ""}`,
    );
  const collection = (path: string) => ({
    name: `GET ${path.replace(world.nickname, "{identifier}")}`,
    cases: readCases(
      world,
      fc.oneof(
        withIdentifier(world, path),
        fc
          .constantFrom("0", "20", "-1", "1e3", "00", "9007199254740993", "x", "")
          .map((c) => `${path}?cursor=${c}`),
      ),
      ["cursor", "page", "max_id"],
    ),
    writes: "none" as const,
  });
  return [
    {
      name: "GET /.well-known/webfinger",
      cases: readCases(world, fc.oneof(webfinger, pathVariant("/.well-known/webfinger")), [
        "resource",
        "rel",
      ]),
      writes: "none",
    },
    {
      name: "GET /.well-known/nodeinfo",
      cases: readCases(world, pathVariant("/.well-known/nodeinfo"), ["x"]),
      writes: "none",
    },
    {
      name: "GET /nodeinfo/2.1",
      cases: readCases(world, pathVariant("/nodeinfo/2.1"), ["x"]),
      writes: "none",
    },
    {
      name: "GET /ap/users/{identifier} (the actor)",
      cases: readCases(world, withIdentifier(world, p.actor), ["x"]),
      writes: "none",
    },
    collection(p.outbox),
    collection(p.followers),
    collection(p.following),
    {
      name: "GET /ap/posts/{id}",
      cases: readCases(
        world,
        fc.oneof(
          pathVariant(p.post),
          fc
            .constantFrom("0", "f".repeat(32), "%00", "..%2F..%2Fstore.json", "x".repeat(4000))
            .map((id) => `/ap/posts/${id}`),
          fc.constant(`/ap/activities/1-create`),
        ),
        ["x"],
      ),
      writes: "none",
    },
    {
      name: `unknown paths under /ap/ and /.well-known/ (host ${host})`,
      cases: readCases(
        world,
        fc.oneof(
          fc.stringMatching(/^\/ap(\/[a-zA-Z0-9._~%:@!$'()*+,=-]{0,16}){1,4}$/),
          fc.stringMatching(/^\/\.well-known\/[a-z-]{0,12}$/),
          fc.constantFrom("/ap", "/ap/", "/ap/users", "/ap/users/", "/ap/inbox/x", "/nodeinfo/2.0"),
        ),
        ["x"],
      ),
      writes: "none",
    },
  ];
}

// ── the inboxes ──────────────────────────────────────────────────────────────────────────

const BODY_SIZES = [1024 * 1024 - 64, 1024 * 1024, 1024 * 1024 + 1, 2 * 1024 * 1024];

/** Bodies built at send time: random JSON, activities, deeply nested, huge, bytes. */
function unsignedBody(parties: Parties): fc.Arbitrary<() => Buffer> {
  const json = (v: unknown) => () => Buffer.from(JSON.stringify(resolveIds(v)) ?? "null");
  return fc.oneof(
    { weight: 4, arbitrary: fc.jsonValue({ maxDepth: 4 }).filter(parties.home).map(json) },
    { weight: 6, arbitrary: activityJson(parties).map(json) },
    {
      weight: 2,
      arbitrary: fc
        .tuple(
          fc.constantFrom(10, 1000, 10_000, 100_000),
          fc.constantFrom("[", '{"a":', '{"object":'),
        )
        .map(([n, open]) => () => {
          const close = open === "[" ? "]" : "}";
          return Buffer.from(`${open.repeat(n)}1${close.repeat(n)}`);
        }),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom(...BODY_SIZES), activityJson(parties))
        .map(([size, a]) => () => {
          const text = JSON.stringify({ ...(resolveIds(a) as Json), content: "" });
          return Buffer.from(
            text.replace(
              /"content":""/,
              `"content":"${"a".repeat(Math.max(0, size - text.length))}"`,
            ),
          );
        }),
    },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 400 }).map((b) => () => Buffer.from(b)) },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom("", "null", "{}", "[]", '"x"', "{", "\u0000")
        .map((s) => () => Buffer.from(s)),
    },
  );
}

/** Signature-looking headers nobody signed, keyIds on the peer's junk documents. */
function forgedSignature(world: ApWorld): fc.Arbitrary<string[]> {
  const keyId = fc.oneof(
    fc.constantFrom(...JUNK_KINDS).map((k) => world.peer.keyId(k)),
    fc.constant(world.peer.keyId()),
    fc.constant(`${world.bob.id}#main-key`),
    fc.constant(`${world.actorId}#main-key`),
    hostileText(30).map((s) => s.replace(/"/g, "")),
  );
  return fc
    .tuple(
      keyId,
      fc.constantFrom("rsa-sha256", "hs2019", "ed25519", "", "none"),
      fc.base64String({ maxLength: 400 }),
      fc.integer({ min: 0, max: 3 }),
    )
    .map(([k, alg, sig, shape]) => forged(k, alg, sig, shape).map(toWireHeader));
}

function forged(k: string, alg: string, sig: string, shape: number): string[] {
  {
    const date = new Date().toUTCString();
    if (shape === 0)
      return [
        "date",
        date,
        "signature",
        `keyId="${k}",algorithm="${alg}",headers="(request-target) host date",signature="${sig}"`,
      ];
    if (shape === 1)
      return [
        "signature-input",
        `sig1=("@method" "@target-uri");created=${Math.floor(Date.now() / 1000)};keyid="${k}"`,
        "signature",
        `sig1=:${sig}:`,
      ];
    if (shape === 2) return ["signature", toWireHeader(k)];
    return ["authorization", `Signature keyId="${k}",signature="${sig}"`, "date", date];
  }
}

/** Requests to an inbox that must all be refused (4xx) and change nothing. */
function refusedCases(world: ApWorld, path: string): fc.Arbitrary<() => Promise<ApShot>> {
  const peer: Parties = {
    us: world.actorId,
    signer: world.peer.actorId,
    other: world.bob.id,
    peerOrigin: world.peer.origin,
    home: (v) => valueStaysHome(v, world.origins),
  };
  const url = `${world.target.url}${path.slice(1)}`;
  const home = (req: FuzzRequest) => requestStaysHome(req, world.origins);
  const garbage = request(ANY_METHOD, pathVariant(path), ["x"], (v) => v, true)
    .filter(home)
    .map((req) => async () => shot(req, (s) => optionsOk(req, s)));
  const unsigned = fc
    .tuple(
      unsignedBody(peer),
      fc.constantFrom(...AP_TYPES),
      fc.option(forgedSignature(world), { nil: undefined }),
    )
    .map(([body, type, sig]) => async () => {
      const req: FuzzRequest = {
        method: "POST",
        path,
        headers: ["content-type", type, ...(sig ?? [])],
        body: body(),
      };
      return shot(req, () => false);
    });
  // the peer's key, broken one way or signed under a junk keyId
  const nearMiss = fc
    .tuple(
      activityJson(peer),
      fc.constantFrom(...MUTATIONS),
      fc.option(fc.constantFrom(...JUNK_KINDS), { nil: undefined, freq: 2 }),
      fc.constantFrom("draft-cavage-http-signatures-12", "rfc9421") as fc.Arbitrary<
        "draft-cavage-http-signatures-12" | "rfc9421"
      >,
      fc.boolean(),
    )
    .filter(([, m, junk]) => m !== "none" || junk !== undefined)
    .map(([a, mutation, junk, spec, actorIsJunk]) => async () => {
      const activity = resolveIds(a) as Json;
      if (junk && actorIsJunk) activity.actor = `${world.peer.origin}/junk/${junk}`;
      const body = Buffer.from(JSON.stringify(activity));
      const req = await world.peer.sign(
        url,
        path,
        body,
        world.peer.keyId(junk),
        spec,
        mutation,
        `${world.bob.id}#main-key`,
      );
      return shot(req, () => false);
    });
  // the test actor's own ways of getting it wrong
  const bobWrong = fc
    .tuple(
      namedActivity({ ...peer, signer: world.bob.id, other: world.peer.actorId }),
      fc.constantFrom("none", "wrong-key", "tamper") as fc.Arbitrary<string>,
    )
    .map(
      ([a, how]) =>
        async () =>
          bobShot(world, url, resolveIds(a) as Json, how, () => false),
    );
  return fc.oneof(
    { weight: 2, arbitrary: garbage },
    { weight: 3, arbitrary: unsigned },
    { weight: 4, arbitrary: nearMiss },
    { weight: 1, arbitrary: bobWrong },
  );
}

/** Sends through the test actor (its own fetch) and reads the answer as an Outcome. */
function bobShot(
  world: ApWorld,
  url: string,
  activity: Json,
  how: string,
  mayServe: (s: number) => boolean,
): ApShot {
  const sign = how === "tamper" ? "cavage" : (how as "cavage" | "rfc9421" | "none" | "wrong-key");
  return {
    describe: `test actor ${how} POST ${url} ${JSON.stringify(activity).slice(0, 600)}`,
    mayServe,
    ...(how === "cavage" || how === "rfc9421" ? { signer: world.bob.id } : {}),
    send: async () => {
      try {
        const res = await withTimeout(
          world.bob.send(url, activity, { sign, tamper: how === "tamper" }),
        );
        const headers: Record<string, string> = {};
        res.headers.forEach((v, k) => {
          headers[k] = v;
        });
        return { status: res.status, headers, body: (await res.text()).slice(0, 64 * 1024) };
      } catch (err) {
        return { noResponse: String(err) };
      }
    },
  };
}

/** The test actor's fetch has no time limit of its own: the Sender's (15 s) for it too. */
function withTimeout<T>(p: Promise<T>, ms = 15_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

/**
 * Whether `actor` names `signer`, the only actor a verified key may speak for (of several
 * actors, the first: the one the inbox handlers act on).
 */
function isSigner(actor: unknown, signer: string): boolean {
  const first = Array.isArray(actor) ? actor[0] : actor;
  return first === signer || (first as { id?: unknown } | null)?.id === signer;
}

/** Correctly signed activities with hostile fields: a 2xx only when the actor is the signer. */
function signedCases(world: ApWorld, path: string): fc.Arbitrary<() => Promise<ApShot>> {
  const url = `${world.target.url}${path.slice(1)}`;
  const asBob: Parties = {
    us: world.actorId,
    signer: world.bob.id,
    other: world.peer.actorId,
    peerOrigin: world.peer.origin,
    home: (v) => valueStaysHome(v, world.origins),
  };
  const asPeer: Parties = { ...asBob, signer: world.peer.actorId, other: world.bob.id };
  const activities = (p: Parties) =>
    fc.oneof({ weight: 3, arbitrary: namedActivity(p) }, { weight: 2, arbitrary: activityJson(p) });
  const fromBob = fc
    .tuple(activities(asBob), fc.constantFrom("cavage", "rfc9421"))
    .map(([a, how]) => async () => {
      const activity = resolveIds(a) as Json;
      const ok = isSigner(activity.actor, world.bob.id);
      return bobShot(world, url, activity, how, (s) => ok && s >= 200 && s < 300);
    });
  const fromPeer = fc
    .tuple(
      activities(asPeer),
      fc.constantFrom("draft-cavage-http-signatures-12", "rfc9421") as fc.Arbitrary<
        "draft-cavage-http-signatures-12" | "rfc9421"
      >,
    )
    .map(([a, spec]) => async () => {
      const activity = resolveIds(a) as Json;
      const body = Buffer.from(JSON.stringify(activity));
      const req = await world.peer.sign(url, path, body, world.peer.keyId(), spec, "none", "");
      const ok = isSigner(activity.actor, world.peer.actorId);
      return shot(req, (s) => ok && s >= 200 && s < 300, world.peer.actorId);
    });
  return fc.oneof({ weight: 3, arbitrary: fromBob }, { weight: 2, arbitrary: fromPeer });
}

/** Both inboxes, each fuzzed twice: what must be refused, and what is signed right. */
export function inboxEndpoints(world: ApWorld): ApEndpoint[] {
  return [world.paths.inbox, world.paths.sharedInbox].flatMap((path) => {
    const name =
      path === world.paths.inbox ? "POST /ap/users/{identifier}/inbox" : "POST /ap/inbox";
    return [
      {
        name: `${name}: unsigned, malformed, near-miss signatures`,
        cases: refusedCases(world, path),
        writes: "none" as const,
      },
      {
        name: `${name}: correctly signed, hostile fields`,
        cases: signedCases(world, path),
        writes: "signed" as const,
      },
    ];
  });
}
