import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { isDeepStrictEqual } from "node:util";
import fc from "fast-check";
import { postObjectId } from "../../protocol/activitypub/post-object.js";
import { Blocks } from "../../sidecar/interactions/blocks.js";
import { listReplies } from "../../sidecar/interactions/interactions.js";
import { reactionKey, replyKey } from "../../sidecar/interactions/records.js";
import { openStore } from "../../sidecar/store/open.js";
import type { ActorSummary, ApFollowed } from "../../sidecar/store/types.js";
import { readStore } from "../helpers/read-store.js";
import { type Accounts, startAccounts } from "./http/ap-accounts.js";
import { CONTENT_TYPES, contentCases } from "./http/ap-content-cases.js";
import {
  AS,
  type Built,
  type ContentCase,
  type ContentParties,
  type Json,
  Ledger,
  PUBLIC,
  SIGNER_ONLY,
  type Signer,
  type Victims,
} from "./http/ap-content-parties.js";
import { describeBuilt, strayWrites, writeSummary } from "./http/ap-content-writes.js";
import { type ApWorld, startApWorld, valueStaysHome } from "./http/ap-world.js";
import { htmlHazards } from "./http/html-hazards.js";
import { journalMark, type Writes, writesSince } from "./http/journal.js";
import { fuzzBatch, judge, summary, type Tally } from "./http/run.js";
import { type Outcome, Sender } from "./http/sender.js";
import { FUZZ_SEED, fuzzRuns } from "./property.js";

/**
 * Fuzzing of what the inbox does with posts and reactions, against a real sidecar process:
 * correctly signed Create, Update, Delete, Announce, Like and Undo with hostile variations
 * (post types, authors, reply targets, ids, field values), from accounts that reply, that
 * the site follows, that impersonate others on the same server, and from a blocked server
 * and account. Bar: no 5xx; nothing logged at error level; every store write one that an
 * activity of the batch may make (ap-content-cases.ts says which); a reply, like and boost
 * and two timeline entries stored beforehand unchanged by everyone else's activities; the
 * blocked ones refused 403 with nothing written; what is stored carries no active markup.
 * Size: FUZZ_RUNS activities per type (48 in `npm test`); FUZZ_SEED replays a run.
 */

const RUNS = fuzzRuns(48);
const SEED = FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31);
const CONCURRENCY = 4;

let world: ApWorld;
let social: Accounts;
let blocked: Accounts;
let sender: Sender;
let parties: ContentParties;
let signers: Signer[];
let blockedSigners: Signer[];
let origins: string[];
/** The victims' records as last seen (each batch compares with them, then takes them anew). */
let stored: Record<string, unknown>;
/** The kinds of kv keys the fuzzed activities wrote (`interactions:reply`…). */
const taken = new Set<string>();

function accountSigner(accounts: Accounts, name: string, followed = false): Signer {
  return {
    name,
    id: accounts.id(name),
    origin: accounts.origin,
    followed,
    sign: (url, path, activity, spec) => accounts.sign(name, url, path, activity, spec),
  };
}

const inboxUrl = (path: string) => `${world.target.url}${path.slice(1)}`;

async function sendAs(name: string, activity: Json): Promise<Outcome> {
  const path = world.paths.sharedInbox;
  const body = { "@context": AS, ...activity };
  const req = await social.sign(name, inboxUrl(path), path, body, "rfc9421");
  return sender.send(req);
}

/** The site follows fay and dora; carol and the whole `localhost` server are blocked. */
async function followAndBlock(): Promise<void> {
  await world.target.stop();
  const store = await openStore(world.target.dataFile);
  try {
    for (const name of ["fay", "dora"]) {
      const id = social.id(name);
      const followed: ApFollowed = {
        protocol: "activitypub",
        id,
        profile: { id, name, url: id, handle: `${name}@${new URL(id).host}` },
        credentials: {
          inbox: `${id}/inbox`,
          followId: `${world.actorId}#follow-${name}`,
          accepted: true,
        },
        since: new Date().toISOString(),
      };
      await store.saveFollowed(followed);
    }
    const blocks = new Blocks(store);
    await blocks.change("domains", "localhost", true);
    await blocks.change("actors", social.id("carol"), true);
  } finally {
    await store.close();
  }
  await world.target.start();
}

/** alice's reply, like and boost; fay's post and boost: set up for the others to attack. */
async function storeVictims(posts: ContentParties["posts"]): Promise<Victims> {
  const s = social.origin;
  const note = (name: string, path: string, extra: Json = {}) => {
    const n = {
      id: `${s}${path}`,
      type: "Note",
      attributedTo: social.id(name),
      to: PUBLIC,
      ...extra,
    };
    social.host(path, { json: { "@context": AS, ...n } });
    return n;
  };
  const v: Victims = {
    author: social.id("alice"),
    reply: `${s}/notes/alice-reply`,
    like: `${s}/activities/alice-like`,
    boost: `${s}/activities/alice-boost`,
    notice: `${s}/notes/fay-note`,
    boostNotice: `${s}/activities/fay-boost`,
  };
  const reply = note("alice", "/notes/alice-reply", {
    content: "<p>Alice's reply</p>",
    inReplyTo: posts[0]?.objectId,
  });
  note("erin", "/notes/erin-note", { content: "<p>Erin's post</p>" });
  const sent: [string, Json][] = [
    [
      "alice",
      { id: `${s}/activities/alice-create`, type: "Create", actor: v.author, object: reply },
    ],
    ["alice", { id: v.like, type: "Like", actor: v.author, object: posts[1]?.objectId }],
    ["alice", { id: v.boost, type: "Announce", actor: v.author, object: posts[2]?.uri }],
    [
      "fay",
      {
        id: `${s}/activities/fay-create`,
        type: "Create",
        actor: social.id("fay"),
        object: note("fay", "/notes/fay-note", { content: "<p>Fay's post</p>" }),
      },
    ],
    [
      "fay",
      {
        id: v.boostNotice,
        type: "Announce",
        actor: social.id("fay"),
        to: PUBLIC,
        object: `${s}/notes/erin-note`,
      },
    ],
  ];
  for (const [name, activity] of sent) {
    const out = await sendAs(name, activity);
    assert.ok(
      !("noResponse" in out) && out.status === 202,
      `${name}'s ${activity.type} is taken: ${JSON.stringify(out).slice(0, 300)}`,
    );
  }
  return v;
}

async function victimRecords(): Promise<Record<string, unknown>> {
  const v = parties.victims;
  const [, second, third] = parties.posts;
  return readStore(world.target.dataFile, async (s) => ({
    reply: await s.kvGet(replyKey(v.reply)),
    like: await s.kvGet(reactionKey("like", second?.uri ?? "", v.author)),
    boost: await s.kvGet(reactionKey("boost", third?.uri ?? "", v.author)),
    notice: await s.inboxNotice(v.notice),
    boostNotice: await s.inboxNotice(v.boostNotice),
  }));
}

before(async () => {
  world = await startApWorld();
  social = await startAccounts(["alice", "fay", "dora", "mallory", "erin", "carol"]);
  blocked = await startAccounts(["zed"], { hostname: "localhost" });
  origins = [...world.origins, social.origin, blocked.origin];
  await followAndBlock();
  sender = new Sender(world.target.url, CONCURRENCY);
  const posts = [1, 2, 3].map((i) => {
    const uri = `${world.target.url}posts/${i}/`;
    return { uri, objectId: postObjectId(world.target.url, uri).href };
  });
  parties = {
    sidecar: world.target.url,
    us: world.actorId,
    posts,
    victims: await storeVictims(posts),
    social,
    peerOrigin: world.peer.origin,
    other: world.bob.id,
    ledger: new Ledger(),
  };
  const peer = world.peer;
  signers = [
    accountSigner(social, "mallory"),
    accountSigner(social, "erin"),
    accountSigner(social, "dora", true),
    {
      name: "peer",
      id: peer.actorId,
      origin: peer.origin,
      followed: false,
      sign: (url, path, a, spec) =>
        peer.sign(url, path, Buffer.from(JSON.stringify(a)), peer.keyId(), spec, "none", ""),
    },
  ];
  blockedSigners = [accountSigner(blocked, "zed"), accountSigner(social, "carol")];
  stored = await victimRecords();
  for (const [what, record] of Object.entries(stored))
    assert.ok(record, `the victim's ${what} is stored`);
});

after(async () => {
  await sender?.close();
  await social?.close();
  await blocked?.close();
  await world?.close();
});

interface Item {
  make: ContentCase;
  built?: Built;
  /** It named an origin outside the world (generated text can): not sent. */
  skipped?: boolean;
  status?: number;
}

function describeItem(c: Item): string {
  return c.built ? describeBuilt(c.built) : "(not built)";
}

/** What the batch wrote that none of its activities may; null when all is well. */
async function checkWrites(
  w: Writes,
  mark: number,
  items: Item[],
  blockedBatch: boolean,
): Promise<string | null> {
  if (blockedBatch) {
    const tables = [...w.byTable].map(([t, keys]) => `${t}: ${keys.slice(0, 3).join(" ")}`);
    return tables.length > 0 ? `blocked activities wrote ${tables.join("; ")}` : null;
  }
  const sent = items.flatMap((c) =>
    c.built && !c.skipped
      ? [{ built: c.built, ...(c.status === undefined ? {} : { status: c.status }) }]
      : [],
  );
  return strayWrites(w, { dataFile: world.target.dataFile, mark, sent, posts: parties.posts });
}

/** Sends one batch (half to the actor's inbox, half to the shared one) and checks what it did. */
async function fire(
  name: string,
  makers: ContentCase[],
  blockedBatch: boolean,
  diagnostic: (s: string) => void,
): Promise<void> {
  const items: Item[] = makers.map((make) => ({ make }));
  const mark = await journalMark(world.target.dataFile);
  const started = Date.now();
  let n = 0;
  const tally: Tally = await fuzzBatch(
    items,
    CONCURRENCY,
    async (c) => {
      const b = c.make();
      c.built = b;
      if (!valueStaysHome(b.activity, origins)) {
        c.skipped = true;
        return { noResponse: "skipped: it names an origin outside the world" };
      }
      const path = n++ % 2 === 0 ? world.paths.sharedInbox : world.paths.inbox;
      return sender.send(await b.signer.sign(inboxUrl(path), path, b.activity, b.spec));
    },
    (c, o) => {
      if (c.skipped) return null;
      if (!("noResponse" in o)) c.status = o.status;
      if (!blockedBatch) {
        return judge(o, { mayServe: (s) => !!c.built?.mayAccept && s >= 200 && s < 300 });
      }
      return "noResponse" in o || o.status !== 403
        ? `a blocked sender's activity was not refused 403: ${JSON.stringify(o).slice(0, 300)}`
        : null;
    },
    describeItem,
  );
  // an accepted activity's writes are done before its answer; a little slack for stragglers
  await sleep(200);
  const writes = await writesSince(world.target.dataFile, mark);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  diagnostic(`${name}: ${summary(tally)}; ${seconds} s; wrote ${writeSummary(writes)}`);
  const proc = world.target.proc;
  assert.ok(
    proc?.alive(),
    `the sidecar died (${JSON.stringify(proc?.exitStatus())}):\n${world.target.stderr().slice(-4000)}`,
  );
  for (const [table, keys] of writes.byTable) {
    for (const k of keys) if (table === "kv") taken.add(k.split(":").slice(0, 2).join(":"));
  }
  // every check runs, and the next batch compares with the victims as they are now
  const [was, now] = [stored, await victimRecords()];
  stored = now;
  const problems = [
    tally.failed > 0 ? `${summary(tally)}\n${tally.failures.join("\n")}` : null,
    await checkWrites(writes, mark, items, blockedBatch),
    isDeepStrictEqual(now, was)
      ? null
      : `the victims' records changed:\n${JSON.stringify(was)}\n→ ${JSON.stringify(now)}`,
    ...(await storedHazards()),
  ].filter((x) => x !== null);
  assert.deepEqual(problems, [], `${name}: ${problems.length} problems`);
}

/** Sanitizing checked on what is stored now: content, names, links, icons. */
async function storedHazards(): Promise<string[]> {
  const { replies, inbox, followed } = await readStore(world.target.dataFile, async (s) => ({
    replies: await listReplies(s),
    inbox: await s.inbox(10_000),
    followed: await s.followed(),
  }));
  const actor = (where: string, a: ActorSummary | undefined) => {
    if (!a) return [];
    const texts = [a.name, a.handle ?? ""].filter((t) => t.includes("\u202E"));
    const links = [a.url, a.icon ?? "https://x"].filter((u) => !/^https?:\/\//.test(u));
    return [...texts, ...links].map((v) => `${where}: ${JSON.stringify(v.slice(0, 100))}`);
  };
  const text = (where: string, t: string | undefined) =>
    t?.includes("\u202E") ? [`${where}: U+202E in ${JSON.stringify(t.slice(0, 100))}`] : [];
  const found = [
    ...replies.flatMap((r) => [
      ...htmlHazards(r.content).map((h) => `reply ${r.id}: ${h}`),
      ...text(`reply ${r.id} summary`, r.summary),
      ...actor(`reply ${r.id} author`, r.author),
    ]),
    ...inbox.flatMap((n) => [
      ...htmlHazards(n.content).map((h) => `timeline ${n.uri}: ${h}`),
      ...text(`timeline ${n.uri} summary`, n.activitypub?.summary),
      ...actor(`timeline ${n.uri} author`, n.activitypub?.author),
      ...actor(`timeline ${n.uri} booster`, n.activitypub?.boostedBy),
    ]),
    ...followed.flatMap((f) =>
      f.protocol === "activitypub" ? actor(`followed ${f.id}`, f.profile) : [],
    ),
  ];
  return found.length > 0
    ? [`${found.length} hazards stored: ${found.slice(0, 5).join("\n")}`]
    : [];
}

function sample(arb: fc.Arbitrary<ContentCase>, runs: number): ContentCase[] {
  return fc.sample(arb, { numRuns: runs, seed: SEED });
}

describe(`ActivityPub inbox content fuzzing, ${RUNS} activities per type (seed ${SEED}; replay with FUZZ_SEED)`, () => {
  it("another account of alice's own server cannot edit, delete or undo what she sent", async () => {
    const s = social.origin;
    const mallory = social.id("mallory");
    const v = parties.victims;
    const attacks: Json[] = [
      {
        id: `${s}/activities/mallory-update`,
        type: "Update",
        actor: mallory,
        to: PUBLIC,
        // embedded on the sender's own origin, so Fedify takes it as sent
        object: {
          id: v.reply,
          type: "Note",
          attributedTo: mallory,
          to: PUBLIC,
          inReplyTo: parties.posts[0]?.objectId,
          content: "<p>mallory was here</p>",
        },
      },
      { id: `${s}/activities/mallory-delete`, type: "Delete", actor: mallory, object: v.reply },
      {
        id: `${s}/activities/mallory-undo-like`,
        type: "Undo",
        actor: mallory,
        object: { id: v.like, type: "Like", actor: v.author, object: parties.posts[1]?.objectId },
      },
      { id: `${s}/activities/mallory-undo-boost`, type: "Undo", actor: mallory, object: v.boost },
    ];
    const changed: string[] = [];
    for (const attack of attacks) {
      const out = await sendAs("mallory", attack);
      assert.ok(!("noResponse" in out) && out.status < 500, JSON.stringify(out).slice(0, 300));
      const now = await victimRecords();
      for (const [what, record] of Object.entries(now)) {
        if (!isDeepStrictEqual(record, stored[what])) {
          changed.push(
            `mallory's ${attack.type} changed alice's ${what}: ${JSON.stringify(record)}`,
          );
        }
      }
      stored = now;
    }
    assert.deepEqual(changed, []);
  });

  it("every activity type", async (t) => {
    for (const type of CONTENT_TYPES) {
      const cases = sample(contentCases(type, parties, { signers, deep: true }), RUNS);
      await t.test(type, (st) => fire(type, cases, false, (s) => st.diagnostic(s)));
    }
  });

  it("a blocked server's and a blocked account's activities are refused 403, writing nothing", async (t) => {
    const arb = fc.oneof(
      ...CONTENT_TYPES.map((type) =>
        contentCases(type, parties, { signers: blockedSigners, actors: SIGNER_ONLY, deep: false }),
      ),
    );
    await fire("blocked", sample(arb, RUNS), true, (s) => t.diagnostic(s));
  });

  it("afterwards: fuzzed replies and reactions were taken; nothing unexpected logged", () => {
    // (else the fuzzing proves little: every case refused alike)
    for (const kind of ["interactions:reply", "interactions:reaction", "notification:"]) {
      assert.ok(
        [...taken].some((k) => k.startsWith(kind)),
        `some fuzzed activity wrote ${kind}`,
      );
    }
    const bad = world.target
      .stderr()
      .split("\n")
      .filter((l) => /unexpected error|"level":(50|60)|Unhandled|uncaught/i.test(l));
    assert.deepEqual(bad.slice(0, 3), [], `${bad.length} error lines in the sidecar's log`);
  });
});
