/**
 * Posts reach a real, independent Fedify server (test/fixtures/fedify-peer) that follows the
 * site: a new post as Create(Note), an edit as Update with `updated`, a removal as Delete
 * with a Tombstone, a profile change as Update(Person), each verified by Fedify (the sidecar
 * signs draft-cavage first, or RFC 9421 first when configured; the peer checks either), and
 * each object id dereferences.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { apUrl, postObjectKey } from "../contract/activitypub-paths.js";
import type { Manifest, ManifestNotice } from "../contract/manifest.js";
import { type ApSidecar, startApSidecar } from "./helpers/ap-sidecar.js";
import { type FedifyPeer, startFedifyPeer } from "./helpers/fedify-peer.js";
import { waitFor } from "./helpers/receiver.js";

const post = (site: string, i: number, extra: Partial<ManifestNotice> = {}): ManifestNotice => ({
  uri: `${site}posts/${i}/`,
  url: `${site}posts/${i}/`,
  content: `Post ${i}`,
  title: `Title ${i}`,
  html: `<p>Body of post <em>${i}</em> <script>alert(1)</script><a href="/about/">about</a></p>`,
  published: new Date(Date.UTC(2024, 0, 1, 0, i)).toISOString(),
  license: "https://creativecommons.org/licenses/by/3.0/",
  tags: ["static", "fediverse"],
  language: "en",
  ...extra,
});

const withPosts = (m: Manifest, notices: ManifestNotice[], profile = m.profile): Manifest => ({
  ...m,
  version: 2,
  profile,
  notices,
});

for (const firstKnock of ["draft-cavage-http-signatures-12", "rfc9421"] as const) {
  describe(`a Fedify peer following the site receives its posts, edits, removals and profile (we knock ${firstKnock} first)`, () => {
    let sc: ApSidecar;
    let peer: FedifyPeer;
    let actor: string;
    let site: string;
    before(async () => {
      sc = await startApSidecar({ firstRetrySeconds: 0.05, firstKnock }, { posts: true });
      peer = await startFedifyPeer();
      site = sc.manifest.profile.uri;
      actor = apUrl(sc.url, "actor", { identifier: sc.manifest.profile.nickname });
      // The first sync archives what is on the site: nothing of it is sent.
      const first = await sc.publish(withPosts(sc.manifest, [post(site, 1), post(site, 2)]));
      assert.equal(first.outcome, "first-sync");
      await peer.follow(actor);
      await waitFor(
        async () =>
          (await peer.following()).some((f) => f.actor === actor && f.state === "accepted"),
        "the follow to be accepted",
      );
      await peer.reset();
    });
    after(async () => {
      await peer?.close();
      await sc?.close();
    });

    const nextOf = async (type: string, count = 1) => {
      const got = await peer.waitFor(
        (r) => r.filter((a) => a.type === type).length >= count,
        15_000,
      );
      return got.filter((a) => a.type === type)[count - 1];
    };

    it("a new post arrives as a verified Create(Note) with its content, tags and language", async () => {
      await sc.publish(withPosts(sc.manifest, [post(site, 3), post(site, 1), post(site, 2)]));
      const create = await nextOf("Create");
      assert.ok(create);
      assert.equal(create.actor, actor);
      assert.equal(create.keyId, `${actor}#main-key`);
      assert.equal(
        create.signature,
        firstKnock === "rfc9421" ? "rfc9421" : "cavage",
        "the first knock was taken",
      );
      const note = create.object as Record<string, unknown>;
      assert.equal(note.type, "Note");
      assert.equal(note.id, apUrl(sc.url, "post", { id: postObjectKey(`${site}posts/3/`) }));
      assert.equal(note.url, `${site}posts/3/`);
      const content = String(note.content);
      assert.match(content, /Title 3/);
      assert.match(content, /Body of post <em>3<\/em>/);
      assert.doesNotMatch(content, /script|alert/);
      assert.match(content, new RegExp(`href="${site}about/"`), "relative link made absolute");
      assert.ok(JSON.stringify(note.tag).includes("#fediverse"));
      assert.deepEqual(Object.keys((note.contentMap ?? {}) as object), ["en"]);
      assert.deepEqual(create.fetched, [], "the embedded Note was used as given (same origin)");
      // Nothing archived was sent.
      assert.equal((await peer.received()).filter((a) => a.type === "Create").length, 1);
    });

    it("the Note's id dereferences to the same object, as activity+json", async () => {
      const id = apUrl(sc.url, "post", { id: postObjectKey(`${site}posts/3/`) });
      const res = await fetch(id, { headers: { accept: "application/activity+json" } });
      assert.equal(res.status, 200);
      assert.match(res.headers.get("content-type") ?? "", /application\/activity\+json/);
      const body = (await res.json()) as Record<string, unknown>;
      assert.equal(body.id, id);
      assert.equal(body.type, "Note");
      const browser = await fetch(id, { headers: { accept: "text/html" }, redirect: "manual" });
      assert.equal(browser.status, 303);
      assert.equal(browser.headers.get("location"), `${site}posts/3/`);
    });

    it("an edit arrives as an Update whose object carries updated", async () => {
      const edited = post(site, 3, {
        html: "<p>Corrected body</p>",
        updated: "2024-02-01T10:00:00Z",
      });
      await sc.publish(withPosts(sc.manifest, [edited, post(site, 1), post(site, 2)]));
      const update = await nextOf("Update");
      const note = update?.object as Record<string, unknown>;
      assert.equal(note.type, "Note");
      assert.match(String(note.content), /Corrected body/);
      assert.equal(note.updated, "2024-02-01T10:00:00Z");
    });

    it("a removal arrives as a Delete of the post's id, which then answers 410 with a Tombstone", async () => {
      await sc.publish(withPosts(sc.manifest, [post(site, 1), post(site, 2)]));
      const del = await nextOf("Delete");
      const id = apUrl(sc.url, "post", { id: postObjectKey(`${site}posts/3/`) });
      assert.equal(del?.objectId, id);
      const res = await fetch(id, { headers: { accept: "application/activity+json" } });
      assert.equal(res.status, 410);
      assert.equal(((await res.json()) as { type?: string }).type, "Tombstone");
    });

    it("a profile change arrives as an Update(Person) equal to the served actor", async () => {
      const profile = { ...sc.manifest.profile, fullname: "Ann Renamed", bio: "New bio." };
      await sc.publish(withPosts(sc.manifest, [post(site, 1), post(site, 2)], profile));
      const update = await nextOf("Update", 2);
      const person = update?.object as Record<string, unknown>;
      assert.equal(person.type, "Person");
      assert.equal(person.id, actor);
      assert.equal(person.name, "Ann Renamed");
      const served = (await (
        await fetch(actor, { headers: { accept: "application/activity+json" } })
      ).json()) as Record<string, unknown>;
      assert.equal(served.name, "Ann Renamed");
      assert.equal(
        (served.publicKey as { publicKeyPem?: string }).publicKeyPem,
        (person.publicKey as { publicKeyPem?: string }).publicKeyPem,
      );
    });

    it("every activity id was unique", async () => {
      const ids = (await peer.received()).map((a) => a.id);
      assert.equal(new Set(ids).size, ids.length);
    });
  });
}
