// Inbound verification of postNotice / updateProfile (OMB.md §4, §5, §10.9, P4, P5): a real
// sidecar process, remote services signing with their own OAuth code over loopback HTTP.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { signHook } from "../contract/hook-signature.js";
import { CC_BY, OMB_VERSION, RemoteListenee } from "./helpers/remote-listenee.js";
import { Browser } from "./helpers/remote-listenee-browser.js";
import { follow, passwordHash } from "./helpers/remote-listenee-flow.js";
import { startTarget, type Target } from "./helpers/remote-listenee-target.js";

const SUCCESS = `omb_version=${OMB_VERSION}`;
const HOOK_SECRET = "inbound-test-secret";

let target: Target;
let bob: RemoteListenee;
let dave: RemoteListenee;

interface Export {
  following: { uri: string; profile: Record<string, string> }[];
  inbox: { uri: string; listeneeUri: string; content: string }[];
}

async function inboxJson(): Promise<Export> {
  const res = await fetch(`${target.url}admin/inbox.json`, {
    headers: signHook(HOOK_SECRET, "GET /admin/inbox.json"),
  });
  assert.equal(res.status, 200);
  return (await res.json()) as Export;
}

async function stored(noticeUri: string): Promise<number> {
  return (await inboxJson()).inbox.filter((n) => n.uri === noticeUri).length;
}

before(async () => {
  target = await startTarget({ passwordHash: await passwordHash(), hookSecret: HOOK_SECRET });
  bob = await RemoteListenee.start();
  dave = await RemoteListenee.start({ nickname: "dave", fullname: "Dave Elsewhere" });
  const browser = new Browser();
  await follow(bob, browser, target.url);
  await follow(dave, browser, target.url);
});

after(async () => {
  await bob?.close();
  await dave?.close();
  await target?.dispose();
});

describe("postNotice", () => {
  test("a correct notice is answered 200, text/plain, exactly the success body", async () => {
    const res = await bob.postNotice("ok-1", { omb_notice_content: "Hello & ünïcödé + 100% <ok>" });
    assert.equal(res.status, 200);
    assert.equal(res.body, SUCCESS);
    assert.match(res.headers.get("content-type") ?? "", /^text\/plain/);
    const n = (await inboxJson()).inbox.find((x) => x.uri === `${bob.root}notice/ok-1`);
    assert.equal(n?.content, "Hello & ünïcödé + 100% <ok>");
    assert.equal(n?.listeneeUri, bob.profile.uri);
  });

  test("OAuth parameters in an Authorization header are accepted", async () => {
    const res = await bob.postNotice("hdr-1", {}, { via: "header" });
    assert.equal(res.status, 200, res.body);
    assert.equal(await stored(`${bob.root}notice/hdr-1`), 1);
  });

  test("a bad signature is refused with 401 (not 403: the sender must not drop us) and nothing is stored", async () => {
    const res = await bob.postNotice(
      "sig-1",
      {},
      {
        tamper: (p) => {
          p.omb_notice_content = "changed after signing";
        },
      },
    );
    assert.equal(res.status, 401);
    assert.match(res.body, /signature/);
    assert.equal(await stored(`${bob.root}notice/sig-1`), 0);
  });

  test("a signature made with the wrong token secret is refused", async () => {
    const res = await bob.postNotice("sig-2", {}, { tokenSecret: "0".repeat(32) });
    assert.equal(res.status, 401);
  });

  test("a stale or future timestamp (more than 300 s away) is refused", async () => {
    const now = Math.floor(Date.now() / 1000);
    for (const timestamp of [now - 400, now + 400]) {
      const res = await bob.postNotice(`ts-${timestamp}`, {}, { timestamp });
      assert.equal(res.status, 401, `timestamp ${timestamp - now}`);
      assert.match(res.body, /oauth_timestamp/);
    }
    const within = await bob.postNotice("ts-ok", {}, { timestamp: now - 200 });
    assert.equal(within.status, 200, within.body);
  });

  test("a reused nonce is refused, even on a differently signed request", async () => {
    const timestamp = Math.floor(Date.now() / 1000);
    const nonce = "0123456789abcdef0123456789abcdef";
    const first = await bob.postNotice("nonce-1", {}, { timestamp, nonce });
    assert.equal(first.status, 200, first.body);
    const again = await bob.postNotice("nonce-2", {}, { timestamp, nonce });
    assert.equal(again.status, 401);
    assert.match(again.body, /nonce/);
    assert.equal(await stored(`${bob.root}notice/nonce-2`), 0);
  });

  test("an unknown token gets 403 'Revoked accesstoken for <listenee>'", async () => {
    const res = await bob.postNotice("tok-1", {}, { token: "f".repeat(32), tokenSecret: "x" });
    assert.equal(res.status, 403);
    assert.equal(res.body, `Revoked accesstoken for ${bob.profile.uri}`);
  });

  test("a valid token of another followed author cannot push for this one (OMB.md P5)", async () => {
    // Dave's own token, consumer key and secret, correctly signed, but claiming to be Bob.
    const res = await dave.postNotice("p5-1", { omb_listenee: bob.profile.uri });
    assert.equal(res.status, 403);
    assert.equal(res.body, `Revoked accesstoken for ${bob.profile.uri}`);
    assert.equal(await stored(`${dave.root}notice/p5-1`), 0);
  });

  test("a token used under another consumer key is refused", async () => {
    const res = await bob.postNotice("ck-1", {}, { consumerKey: dave.root });
    assert.equal(res.status, 403);
  });

  test("a wrong omb_version is a 400", async () => {
    const res = await bob.postNotice("v-1", {
      omb_version: "http://openmicroblogging.org/protocol/0.2",
    });
    assert.equal(res.status, 400);
    assert.match(res.body, /omb_version/);
  });

  test("each bad field is a 400 naming the field", async () => {
    const cases: [Record<string, string>, string][] = [
      [{ omb_notice: "tag:example.org,2008:notice/1" }, "omb_notice"],
      [{ omb_notice_content: "" }, "omb_notice_content"],
      [{ omb_notice_content: "x".repeat(141) }, "omb_notice_content"],
      [{ omb_notice_url: "javascript:alert(1)" }, "omb_notice_url"],
      [
        { omb_seealso: "http://r.example/a.png", omb_seealso_disposition: "embed" },
        "omb_seealso_disposition",
      ],
      [{ omb_seealso_mediatype: "picture/png" }, "omb_seealso_mediatype"],
    ];
    for (const [fields, name] of cases) {
      const res = await bob.postNotice(`field-${name}`, fields);
      assert.equal(res.status, 400, `${name}: ${res.body}`);
      assert.ok(res.body.startsWith(`${name}:`), res.body);
    }
    assert.equal(
      (await inboxJson()).inbox.filter((n) => n.uri.includes("/notice/field-")).length,
      0,
    );
  });

  test("an incompatible notice license is a 400; a compatible one passes", async () => {
    const nd = await bob.postNotice("lic-1", {
      omb_notice_license: "http://creativecommons.org/licenses/by-nc-nd/3.0/",
    });
    assert.equal(nd.status, 400);
    assert.match(nd.body, /^omb_notice_license:/);
    const by = await bob.postNotice("lic-2", {
      omb_notice_license: "http://creativecommons.org/licenses/by/2.5/",
    });
    assert.equal(by.status, 200, by.body);
  });

  test("a notice URI already stored is accepted again and stored once", async () => {
    const first = await bob.postNotice("dup-1", { omb_notice_content: "first" });
    const second = await bob.postNotice("dup-1", { omb_notice_content: "second" });
    assert.equal(first.status, 200);
    assert.equal(second.status, 200);
    assert.equal(second.body, SUCCESS);
    const copies = (await inboxJson()).inbox.filter((n) => n.uri === `${bob.root}notice/dup-1`);
    assert.deepEqual(
      copies.map((n) => n.content),
      ["first"],
    );
  });
});

describe("updateProfile", () => {
  const bobProfile = async () =>
    (await inboxJson()).following.find((f) => f.uri === bob.profile.uri)?.profile;

  test("sent fields replace, empty ones clear, missing ones stay", async () => {
    const res = await bob.updateProfile({
      omb_listenee_license: CC_BY,
      omb_listenee_bio: "New bio",
      omb_listenee_fullname: "",
    });
    assert.equal(res.status, 200, res.body);
    assert.equal(res.body, SUCCESS);
    const p = await bobProfile();
    assert.equal(p?.bio, "New bio");
    assert.equal(p?.fullname, "");
    assert.equal(p?.nickname, "bob");
    assert.equal(p?.profile, bob.profile.profile);
  });

  test("a bad field is a 400 naming it, and nothing changes", async () => {
    for (const [field, value] of [
      ["omb_listenee_nickname", "not valid!"],
      ["omb_listenee_nickname", ""],
      ["omb_listenee_avatar", "data:image/png;base64,AAAA"],
      ["omb_listenee_bio", "b".repeat(141)],
    ] as const) {
      const res = await bob.updateProfile({ omb_listenee_license: CC_BY, [field]: value });
      assert.equal(res.status, 400, `${field}: ${res.body}`);
      assert.ok(res.body.startsWith(`${field}:`), res.body);
    }
    assert.equal((await bobProfile())?.nickname, "bob");
  });

  test("the license is judged always (StatusNet 0.9): missing or incompatible is a 400", async () => {
    const missing = await bob.updateProfile({ omb_listenee_bio: "x" });
    assert.equal(missing.status, 400);
    assert.match(missing.body, /^omb_listenee_license:/);
    const nc = await bob.updateProfile({
      omb_listenee_license: "http://creativecommons.org/licenses/by-nc/3.0/",
    });
    assert.equal(nc.status, 400);
  });

  test("is verified like a notice: bad signature 401, token of another author 403", async () => {
    const bad = await bob.updateProfile(
      { omb_listenee_license: CC_BY },
      {
        tamper: (p) => {
          p.omb_listenee_bio = "sneaky";
        },
      },
    );
    assert.equal(bad.status, 401);
    const other = await dave.updateProfile({
      omb_listenee: bob.profile.uri,
      omb_listenee_license: CC_BY,
    });
    assert.equal(other.status, 403);
    assert.equal(other.body, `Revoked accesstoken for ${bob.profile.uri}`);
  });
});
