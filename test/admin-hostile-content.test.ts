/**
 * The owner's status page (GET /admin) with hostile remote records in every section that
 * shows fediverse input: replies waiting, notifications, the timeline's notices, followed
 * accounts (ActivityPub and OMB), followers, follow requests and blocks. Some arrive the way
 * they would (signed activities from an account whose actor document is hostile), the rest
 * are put in the store directly, past the inbox's own cleaning, so the page is tested on its
 * own. Parsed (htmlparser2), the page holds no script, event handler, javascript:/data: URL,
 * style attribute, frame, object, embed or form but its own, and no U+202E.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { DomUtils, parseDocument } from "htmlparser2";
import { hasClass } from "../plugin/timeline/html-parse.test-helper.js";
import { postObjectId } from "../protocol/activitypub/post-object.js";
import { OWNER_PATHS } from "../sidecar/auth/owner.js";
import { notify } from "../sidecar/interactions/notifications.js";
import { replyKey, type StoredReply } from "../sidecar/interactions/records.js";
import type { ActorSummary } from "../sidecar/store/types.js";
import { type Accounts, startAccounts } from "./fuzz/http/ap-accounts.js";
import { HOSTILE_HTML } from "./fuzz/http/ap-content-values.js";
import { type Element, htmlHazards, selfOrAncestor } from "./fuzz/http/html-hazards.js";
import { type ApSidecar, startApSidecar } from "./helpers/ap-sidecar.js";
import { waitFor } from "./helpers/receiver.js";
import { Browser } from "./helpers/remote-listenee-browser.js";
import { logIn, passwordHash } from "./helpers/remote-listenee-flow.js";

const AS = "https://www.w3.org/ns/activitystreams";
const PUBLIC = `${AS}#Public`;
const RLO = "\u202E";
const BREAKOUT = `"><script>alert(1)</script><img src=x onerror=alert(2)>`;
/** Markup for a text field (names, handles, summaries, licences). */
const TEXT = `T <script>alert(1)</script> ${BREAKOUT} '><svg onload=alert(3)> <style>*{--x:1}</style> <iframe src="https://evil.example/"></iframe> <form action="https://evil.example/"><input name=q></form> <b style="position:fixed" onclick="alert(4)">b</b> ${RLO}gnp.exe`;
/** URLs for a URL field: each must be dropped, or kept only as an escaped http(s) value. */
const BAD_URLS = [
  "javascript:alert(1)",
  " JaVaScRiPt:alert(1)",
  "java\tscript:alert(1)",
  "data:text/html,<script>alert(1)</script>",
  "data:image/svg+xml,<svg onload=alert(1)>",
  "vbscript:msgbox(1)",
  `https://evil.example/a${BREAKOUT}`,
  `https://evil.example/b" onerror="alert(1)" style="x:y`,
  `https://evil.example/${RLO}gnp.exe`,
  "//evil.example/protocol-relative",
];
/** Post HTML: the fuzzer's hostile markup and some that names real-looking URLs. */
const CONTENT = [
  ...HOSTILE_HTML,
  '<img src="https://evil.example/i.png" onerror="alert(5)">',
  '<video src="https://evil.example/v.mp4" poster="javascript:alert(6)"></video>',
  '<link rel="stylesheet" href="https://evil.example/x.css"><base href="https://evil.example/">',
  '<noscript><p title="</noscript><img src=x onerror=alert(7)>">',
].join(" ");

const url = (i: number) => BAD_URLS[i % BAD_URLS.length] as string;

/** A remote account whose every field is hostile; `i` picks which bad URLs it has. */
const hostileActor = (i: number): ActorSummary => ({
  id: `https://evil.example/users/${i}${BREAKOUT}`,
  name: TEXT,
  handle: `${TEXT}@evil.example`,
  url: url(i),
  icon: url(i + 1),
});

describe("the status page with hostile remote content", () => {
  let sc: ApSidecar;
  let eve: Accounts;
  let page: string;

  /** eve's server serves a hostile actor document; she follows, replies, likes, and posts. */
  async function fromEve(): Promise<void> {
    const id = eve.id("eve");
    const post = sc.manifest.notices[0]?.uri ?? "";
    await sc.ctx.store.saveFollowed({
      protocol: "activitypub",
      id,
      profile: { id, name: "eve", url: id },
      credentials: { inbox: `${id}/inbox`, followId: `${sc.url}follows/eve`, accepted: true },
      since: new Date().toISOString(),
    });
    const note = (n: number, extra: Record<string, unknown>) => ({
      id: `${eve.origin}/notes/${n}`,
      type: "Note",
      attributedTo: id,
      to: PUBLIC,
      content: CONTENT,
      summary: TEXT,
      url: "javascript:alert(1)",
      attachment: [{ type: "Document", url: "javascript:alert(2)", name: TEXT, mediaType: TEXT }],
      ...extra,
    });
    const activities = [
      { id: `${eve.origin}/follows/1`, type: "Follow", actor: id, object: `${sc.url}ap/users/ann` },
      {
        id: `${eve.origin}/creates/1`,
        type: "Create",
        actor: id,
        to: PUBLIC,
        object: note(1, { inReplyTo: postObjectId(sc.url, post).href }),
      },
      { id: `${eve.origin}/likes/1`, type: "Like", actor: id, object: post },
      { id: `${eve.origin}/creates/2`, type: "Create", actor: id, to: PUBLIC, object: note(2, {}) },
    ];
    for (const activity of activities) {
      const path = "/ap/inbox";
      const req = await eve.sign(
        "eve",
        `${sc.url}ap/inbox`,
        path,
        { "@context": AS, ...activity },
        "rfc9421",
      );
      const headers = new Headers();
      for (let i = 0; i < req.headers.length; i += 2) {
        headers.append(req.headers[i] as string, req.headers[i + 1] as string);
      }
      const res = await fetch(`${sc.url}ap/inbox`, { method: "POST", headers, body: req.body });
      assert.equal(res.status, 202, `eve's ${activity.type}: ${await res.text()}`);
    }
    await waitFor(async () => (await sc.ctx.store.follower(id)) !== undefined, "eve following");
  }

  /** Records put in the store directly: what an older version, or `store copy`, may hold. */
  async function stored(): Promise<void> {
    const store = sc.ctx.store;
    const post = sc.manifest.notices[1]?.uri ?? "";
    for (const i of BAD_URLS.keys()) {
      const actor = hostileActor(i);
      const reply: StoredReply = {
        id: `https://evil.example/notes/${i}${BREAKOUT}`,
        url: url(i + 2),
        inReplyTo: url(i + 3),
        postUri: i % 2 === 0 ? post : url(i + 4),
        author: actor,
        content: CONTENT,
        summary: TEXT,
        published: "2026-01-01T00:00:00.000Z",
        receivedAt: new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString(),
        state: (["pending", "approved", "hidden"] as const)[i % 3] ?? "pending",
      };
      await store.kvSet(replyKey(reply.id), reply);
      await notify(store, { kind: "reply", actor, postUri: url(i + 5), replyId: reply.id });
      await notify(store, {
        kind: (["follower", "like", "boost"] as const)[i % 3] ?? "like",
        actor,
      });
      await store.saveFollowed({
        protocol: "activitypub",
        id: actor.id,
        profile: actor,
        credentials: { inbox: url(i), followId: url(i + 1), accepted: i % 2 === 0 },
        since: "2026-01-01T00:00:00.000Z",
      });
      await store.addInbox({
        protocol: "activitypub",
        uri: `https://evil.example/notes/t${i}${BREAKOUT}`,
        listeneeUri: actor.id,
        content: CONTENT,
        url: url(i + 6),
        license: TEXT,
        receivedAt: new Date(Date.UTC(2026, 0, 2, 0, i)).toISOString(),
        activitypub: {
          author: hostileActor(i + 1),
          summary: TEXT,
          attachments: [{ url: url(i + 7), mediaType: TEXT, name: TEXT }],
          ...(i % 2 === 0 ? { boostedBy: actor, boostedAt: "2026-01-02T00:00:00.000Z" } : {}),
        },
      });
      await store.saveFollower({
        protocol: "activitypub",
        id: `https://evil${i}.example/users/${BREAKOUT}`,
        profile: { ...actor, id: `https://evil${i}.example/users/${BREAKOUT}` },
        credentials: { inbox: url(i), followId: url(i + 2) },
        since: "2026-01-01T00:00:00.000Z",
      });
    }
    const omb = {
      uri: `https://omb.example/${BREAKOUT}`,
      // valid to OMB's URI check (protocol/omb/validate.ts lets any character into a query)
      profile: `https://omb.example/p?${RLO}gnp.exe`,
      nickname: TEXT,
      license: url(6),
      fullname: TEXT,
      homepage: url(7),
      bio: TEXT,
      location: TEXT,
      avatar: url(3),
    };
    await store.saveFollowed({
      protocol: "omb",
      id: omb.uri,
      profile: omb,
      credentials: { token: "t", consumerKey: "k" },
      since: "2026-01-01T00:00:00.000Z",
    });
    await store.addInbox({
      protocol: "omb",
      uri: `https://omb.example/notice/1${BREAKOUT}`,
      listeneeUri: omb.uri,
      content: TEXT,
      url: url(8),
      license: url(0),
      receivedAt: "2026-01-03T00:00:00.000Z",
    });
    await store.kvSet("moderation:blocks", {
      actors: [`https://evil.example/${BREAKOUT}`],
      domains: [TEXT],
    });
  }

  before(async () => {
    sc = await startApSidecar(
      { manuallyApprovesFollowers: false },
      { secrets: { ownerPasswordHash: await passwordHash() } },
    );
    await sc.publish(sc.manifest);
    eve = await startAccounts(["eve"], {
      profiles: {
        eve: {
          name: TEXT,
          preferredUsername: `eve${BREAKOUT}${RLO}`,
          summary: TEXT,
          url: "javascript:alert(1)",
          icon: { type: "Image", url: "data:image/svg+xml,<svg onload=alert(1)>" },
        },
      },
    });
    await fromEve();
    await stored();
    const browser = new Browser();
    await logIn(browser, `${sc.url}admin/login`);
    const res = await browser.get(`${sc.url}admin`);
    assert.equal(res.status, 200);
    page = res.body;
  });

  after(async () => {
    await eve?.close();
    await sc?.close();
  });

  const elements = () => DomUtils.findAll(() => true, parseDocument(page).children);

  it("shows every hostile record (so the checks below look at them)", () => {
    const els = elements();
    const count = (test: (el: Element) => boolean) => els.filter(test).length;
    assert.equal(
      count((el) => el.attribs["data-reply"] !== undefined),
      BAD_URLS.length + 1,
    );
    assert.ok(count((el) => el.attribs["data-kind"] !== undefined) >= 2 * BAD_URLS.length + 3);
    assert.equal(
      count((el) => el.attribs["data-following"] !== undefined),
      BAD_URLS.length + 2,
    );
    assert.ok(page.includes("&lt;script&gt;alert(1)&lt;/script&gt;"), "markup shown as text");
    assert.ok(page.includes("gnp.exe"), "the text around the override stays");
  });

  it("holds no script, handler, script URL, style attribute, frame, object or foreign form, and no U+202E", () => {
    const own = new Set(Object.values(OWNER_PATHS).map((p) => new URL(p, sc.url).href));
    const ownForm = (el: Element) =>
      el.name === "form" && own.has(new URL(el.attribs.action ?? "", sc.url).href);
    const isOwn = (el: Element) =>
      selfOrAncestor(
        el,
        (e) => e.name === "head" || (e.name === "figure" && hasClass(e, "chart")),
      ) ||
      (el.name === "style" && (el.parent as Element | null)?.name === "body") ||
      ownForm(el) ||
      (["input", "button"].includes(el.name) && selfOrAncestor(el, ownForm));
    const hazards = htmlHazards(page, isOwn);
    assert.deepEqual(hazards.slice(0, 8), [], `${hazards.length} hazards on the status page`);
  });

  it("links and images point at http(s) URLs only", () => {
    const bad = elements().flatMap((el) =>
      ["href", "src"].flatMap((name) => {
        const v = el.attribs[name];
        if (v === undefined || /^https?:\/\/[^\s]+$/i.test(v) || v.startsWith("#")) return [];
        return [`<${el.name} ${name}=${JSON.stringify(v.slice(0, 100))}>`];
      }),
    );
    assert.deepEqual(bad, []);
  });
});
