/** The site as a fediverse actor, over real HTTP: WebFinger, the actor document, its key, NodeInfo. */
import assert from "node:assert/strict";
import { createPublicKey } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { type ApSidecar, startApSidecar } from "./helpers/ap-sidecar.js";
import { startTestActor } from "./helpers/ap-test-actor.js";

const AP = "application/activity+json";

/** What these tests read of an AS2 document (fields absent in some answers). */
interface Doc {
  id: string;
  type: string;
  preferredUsername?: string;
  name?: string;
  summary?: string;
  url?: string;
  icon?: { url?: string };
  inbox: string;
  outbox: string;
  followers: string;
  following: string;
  endpoints?: { sharedInbox?: string };
  manuallyApprovesFollowers?: boolean;
  discoverable?: boolean;
  indexable?: boolean;
  alsoKnownAs?: string | string[];
  attachment?: { name: string; value: string } | { name: string; value: string }[];
  publicKey: { id: string; owner: string; publicKeyPem: string };
  totalItems?: number;
  software: { name: string; version: string };
  protocols: string[];
  usage: { users: { total: number }; localPosts: number };
}

describe("ActivityPub identity", () => {
  let sc: ApSidecar;
  before(async () => {
    sc = await startApSidecar({ alsoKnownAs: ["https://old.example/users/ann"] });
  });
  after(() => sc.close());

  const host = () => new URL(sc.url).host;
  const actorUrl = () => `${sc.url}ap/users/ann`;
  const finger = (resource: string) =>
    fetch(`${sc.url}.well-known/webfinger?resource=${encodeURIComponent(resource)}`);

  it("WebFinger answers the handle and the profile URL with the actor", async () => {
    for (const resource of [`acct:ann@${host()}`, `acct:ANN@${host()}`, sc.url]) {
      const res = await finger(resource);
      assert.equal(res.status, 200, resource);
      assert.match(res.headers.get("content-type") ?? "", /application\/jrd\+json/);
      const jrd = (await res.json()) as {
        subject: string;
        links: { rel: string; href?: string; type?: string }[];
      };
      const self = jrd.links.find((l) => l.rel === "self");
      assert.equal(self?.href, actorUrl(), resource);
      assert.equal(self?.type, AP);
    }
    assert.equal((await finger(`acct:someone-else@${host()}`)).status, 404);
    assert.equal((await finger("acct:ann@elsewhere.example")).status, 404);
    assert.equal((await finger("https://elsewhere.example/")).status, 404);
  });

  it("serves the actor as application/activity+json with every field Mastodon reads", async () => {
    const res = await fetch(actorUrl(), { headers: { accept: AP } });
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /^application\/activity\+json/);
    const a = (await res.json()) as Doc;
    assert.equal(a.id, actorUrl());
    assert.equal(a.type, "Person");
    assert.equal(a.preferredUsername, "ann");
    assert.equal(a.name, "Ann Example");
    assert.equal(a.summary, "<p>Writes &lt;things&gt;.</p><p>Second paragraph.</p>");
    assert.equal(a.url, sc.url);
    assert.equal(a.icon?.url, `${sc.url}avatar.png`);
    assert.equal(a.inbox, `${actorUrl()}/inbox`);
    assert.equal(a.outbox, `${actorUrl()}/outbox`);
    assert.equal(a.followers, `${actorUrl()}/followers`);
    assert.equal(a.following, `${actorUrl()}/following`);
    assert.equal(a.endpoints?.sharedInbox, `${sc.url}ap/inbox`);
    assert.equal(a.manuallyApprovesFollowers, false);
    assert.equal(a.discoverable, true);
    assert.equal(a.indexable, true);
    assert.deepEqual([a.alsoKnownAs].flat(), ["https://old.example/users/ann"]);
    const fields = [a.attachment ?? []].flat();
    const links = fields.map((p) => p.name);
    assert.deepEqual(links, ["Website", "Homepage"]);
    assert.match(fields[1]?.value ?? "", /href="https:\/\/home\.example\/ann" rel="me /);
    assert.equal(a.publicKey.owner, actorUrl());
    assert.equal(a.publicKey.id, `${actorUrl()}#main-key`);
    const key = createPublicKey(a.publicKey.publicKeyPem);
    assert.equal(key.asymmetricKeyType, "rsa");
    assert.equal(key.asymmetricKeyDetails?.modulusLength, 2048);
  });

  it("keeps the key across restarts", async () => {
    const pem = async () =>
      ((await (await fetch(actorUrl(), { headers: { accept: AP } })).json()) as Doc).publicKey
        .publicKeyPem;
    const before = await pem();
    await sc.restart();
    assert.equal(await pem(), before);
  });

  it("sends a browser to the site, and answers unknown actors 404", async () => {
    const res = await fetch(actorUrl(), { headers: { accept: "text/html" }, redirect: "manual" });
    assert.equal(res.status, 303);
    assert.equal(res.headers.get("location"), sc.url);
    assert.equal((await fetch(`${sc.url}ap/users/bob`, { headers: { accept: AP } })).status, 404);
  });

  it("serves NodeInfo 2.1 with the site's post count", async () => {
    const wk = (await (await fetch(`${sc.url}.well-known/nodeinfo`)).json()) as {
      links: { rel: string; href: string }[];
    };
    const link = wk.links.find((l) => l.rel.endsWith("/2.1"));
    assert.equal(link?.href, `${sc.url}nodeinfo/2.1`);
    await sc.ctx.syncer.run("test");
    const info = (await (await fetch(link.href)).json()) as Doc;
    assert.equal(info.software.name, "eleventy-federation");
    assert.match(info.software.version, /^\d+\.\d+\.\d+/);
    assert.deepEqual(info.protocols, ["activitypub"]);
    assert.equal(info.usage.users.total, 1);
    assert.equal(info.usage.localPosts, sc.manifest.notices.length);
  });

  it("counts followers in the followers collection", async () => {
    const res = await fetch(`${actorUrl()}/followers`, { headers: { accept: AP } });
    assert.equal(res.status, 200);
    const c = (await res.json()) as Doc;
    assert.equal(c.totalItems, 0);
  });
});

describe("ActivityPub secure mode", () => {
  let sc: ApSidecar;
  before(async () => {
    sc = await startApSidecar({ secureMode: true });
  });
  after(() => sc.close());

  it("answers an unsigned GET with the key only, and refuses unsigned collection GETs", async () => {
    const a = (await (
      await fetch(`${sc.url}ap/users/ann`, { headers: { accept: AP } })
    ).json()) as Doc;
    assert.ok(a.publicKey?.publicKeyPem, "the key stays fetchable");
    assert.equal(a.name, undefined);
    assert.equal(a.summary, undefined);
    const c = await fetch(`${sc.url}ap/users/ann/followers`, { headers: { accept: AP } });
    assert.equal(c.status, 401);
  });

  it("answers signed GETs in full", async () => {
    const bob = await startTestActor();
    try {
      const a = await bob.signedGet(`${sc.url}ap/users/ann`);
      assert.equal(a.status, 200);
      assert.equal(((await a.json()) as Record<string, unknown>).name, "Ann Example");
      const c = await bob.signedGet(`${sc.url}ap/users/ann/followers`);
      assert.equal(c.status, 200);
      assert.equal(((await c.json()) as Record<string, unknown>).totalItems, 0);
    } finally {
      await bob.close();
    }
  });
});

describe("ActivityPub handle on the site's host, actor on the sidecar's", () => {
  let sc: ApSidecar;
  before(async () => {
    sc = await startApSidecar({}, { siteUrl: "https://site.example/" });
  });
  after(() => sc.close());

  it("answers acct:nick@site-host and acct:nick@sidecar-host with the site-host subject", async () => {
    const sidecarHost = new URL(sc.url).host;
    for (const resource of [
      "acct:ann@site.example",
      `acct:ann@${sidecarHost}`,
      "https://site.example/",
    ]) {
      const res = await fetch(
        `${sc.url}.well-known/webfinger?resource=${encodeURIComponent(resource)}`,
      );
      assert.equal(res.status, 200, resource);
      const jrd = (await res.json()) as {
        subject: string;
        aliases?: string[];
        links: { rel: string; href?: string }[];
      };
      assert.equal(jrd.links.find((l) => l.rel === "self")?.href, `${sc.url}ap/users/ann`);
      if (resource.startsWith("acct:"))
        assert.equal(jrd.subject, "acct:ann@site.example", resource);
    }
    const actor = (await (
      await fetch(`${sc.url}ap/users/ann`, { headers: { accept: AP } })
    ).json()) as Record<string, unknown>;
    assert.equal(actor.url, "https://site.example/");
  });
});
