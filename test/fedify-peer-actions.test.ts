/**
 * The Fedify test peer acts as a fediverse user: two peers over loopback, B posts, edits,
 * deletes, boosts, likes and undoes, and A's inbox (which verifies every signature) shows
 * each activity as it should be by the time B's control call answered. Also B's WebFinger
 * and actor, and a raw signed activity.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type FedifyPeer, type ReceivedActivity, startFedifyPeer } from "./helpers/fedify-peer.js";

const AS = "application/activity+json";

type Json = Record<string, unknown>;

/** The one activity `id` A received, which must have come from B. */
async function receivedOnce(peer: FedifyPeer, from: FedifyPeer, id: string) {
  const list = (await peer.received()).filter((a) => a.id === id);
  assert.equal(list.length, 1, `${id} received once, not ${list.length} times`);
  const got = list[0] as ReceivedActivity;
  assert.equal(got.actor, from.actorUrl);
  return { ...got, object: got.object as Json };
}

async function getJson(url: string, accept = AS) {
  const res = await fetch(url, { headers: { accept } });
  return {
    status: res.status,
    type: res.headers.get("content-type"),
    json: (await res.json()) as Json,
  };
}

const asList = (v: unknown) => (Array.isArray(v) ? v : v === undefined ? [] : [v]);

describe("the Fedify peer acts as a fediverse user", () => {
  let a: FedifyPeer;
  let b: FedifyPeer;
  before(async () => {
    // One at a time: a peer that fails to start must leave the other set for after().
    a = await startFedifyPeer();
    b = await startFedifyPeer();
  });
  after(async () => {
    await a?.close();
    await b?.close();
  });

  it("answers WebFinger for acct:peer@host:port and serves an actor with url and icon", async () => {
    assert.equal(b.handle, `peer@${new URL(b.url).host}`);
    const wf = await getJson(
      `${b.url}/.well-known/webfinger?resource=${encodeURIComponent(`acct:${b.handle}`)}`,
      "application/jrd+json",
    );
    assert.equal(wf.status, 200);
    assert.equal(wf.json.subject, `acct:${b.handle}`);
    const links = wf.json.links as { rel: string; type?: string; href?: string }[];
    assert.equal(links.find((l) => l.rel === "self" && l.type === AS)?.href, b.actorUrl);
    const other = await fetch(
      `${b.url}/.well-known/webfinger?resource=acct:nobody@${new URL(b.url).host}`,
    );
    assert.equal(other.status, 404);

    const actor = await getJson(b.actorUrl);
    assert.equal(actor.json.url, `${b.url}/@peer`);
    assert.equal((actor.json.icon as Json).url, `${b.url}/avatar.png`);
  });

  it("likes, replies to and mentions a non-follower, and undoes the like", async () => {
    const { noteId: aNote } = await a.post({ content: "<p>a's note</p>" });

    const liked = await b.like(aNote);
    const like = await receivedOnce(a, b, liked.activityId);
    assert.equal(like.type, "Like");
    assert.equal(like.objectId, aNote);

    const reply = await b.post({ content: "<p>a reply</p>", inReplyTo: aNote });
    const create = await receivedOnce(a, b, reply.activityId);
    assert.equal(create.type, "Create");
    assert.equal(create.objectId, reply.noteId);
    assert.equal(create.object.inReplyTo, aNote);
    assert.ok(asList(create.object.cc).includes(a.actorUrl), "the replied-to author is cc'd");

    const mention = await b.post({
      content: "<p>hi @peer</p>",
      mention: a.actorUrl,
      to: "followers",
    });
    const mentioned = await receivedOnce(a, b, mention.activityId);
    const tags = asList(mentioned.object.tag) as Json[];
    assert.deepEqual(
      tags.map((t) => [t.type, t.href]),
      [["Mention", a.actorUrl]],
    );
    assert.deepEqual(asList(mentioned.object.to), [`${b.actorUrl}/followers`, a.actorUrl]);

    const undone = await b.undo(liked.activityId);
    const undo = await receivedOnce(a, b, undone.activityId);
    assert.equal(undo.type, "Undo");
    assert.equal(undo.object.type, "Like");
    assert.equal(undo.object.id, liked.activityId);
    await assert.rejects(b.undo(liked.activityId), /sent no Like or Announce/);
  });

  it("posts, edits and deletes to a follower, and serves the note until it is gone", async () => {
    await a.follow(b.actorUrl);
    await a.waitFor((r) => r.some((x) => x.type === "Accept"));
    assert.deepEqual(await b.followers(), [a.actorUrl]);

    const posted = await b.post({
      content: "<p>Hello</p>",
      summary: "cw",
      sensitive: true,
      attachment: [{ url: `${b.url}/cat.png`, mediaType: "image/png", name: "a cat" }],
    });
    assert.match(posted.noteId, new RegExp(`^${b.url}/notes/[0-9a-f-]{36}$`));
    assert.match(posted.activityId, new RegExp(`^${b.url}/activities/[0-9a-f-]{36}$`));
    const create = await receivedOnce(a, b, posted.activityId);
    assert.equal(create.type, "Create");
    assert.equal(create.object.id, posted.noteId);
    assert.equal(create.object.content, "<p>Hello</p>");
    assert.equal(create.object.summary, "cw");
    assert.equal(create.object.sensitive, true);
    assert.equal(create.object.attributedTo, b.actorUrl);
    assert.equal(create.object.url, posted.noteId.replace("/notes/", "/@peer/"));
    assert.ok(create.object.published, "published is set");
    assert.deepEqual(asList(create.object.to), ["as:Public"]);
    assert.deepEqual(asList(create.object.cc), [`${b.actorUrl}/followers`]);
    assert.equal((asList(create.object.attachment)[0] as Json).name, "a cat");

    const served = await getJson(posted.noteId);
    assert.equal(served.status, 200);
    assert.match(String(served.type), /activity\+json/);
    assert.equal(served.json.content, "<p>Hello</p>");

    const edited = await b.edit(posted.noteId, "<p>Hello again</p>");
    const update = await receivedOnce(a, b, edited.activityId);
    assert.equal(update.type, "Update");
    assert.equal(update.object.id, posted.noteId);
    assert.equal(update.object.content, "<p>Hello again</p>");
    assert.ok(update.object.updated, "updated is set");
    assert.equal((await getJson(posted.noteId)).json.content, "<p>Hello again</p>");

    const deleted = await b.delete(posted.noteId);
    const del = await receivedOnce(a, b, deleted.activityId);
    assert.equal(del.type, "Delete");
    assert.equal(del.object.type, "Tombstone");
    assert.equal(del.object.id, posted.noteId);
    const gone = await getJson(posted.noteId);
    assert.equal(gone.status, 410);
    assert.equal(gone.json.type, "Tombstone");
    await assert.rejects(b.edit(posted.noteId, "x"), /already deleted/);
  });

  it("boosts a note once to a follower who wrote it, and undoes the boost", async () => {
    await b.follow(a.actorUrl);
    await b.waitFor((r) => r.some((x) => x.type === "Accept"));
    const { noteId: aNote } = await a.post({ content: "<p>boost me</p>" });
    const boosted = await b.boost(aNote);
    const announce = await receivedOnce(a, b, boosted.activityId);
    assert.equal(announce.type, "Announce");
    assert.equal(announce.objectId, aNote);
    assert.equal(announce.object.content, "<p>boost me</p>", "A resolved its own note");
    assert.deepEqual(asList((announce.activity as Json).cc), [
      `${b.actorUrl}/followers`,
      a.actorUrl,
    ]);

    const undone = await b.undo(boosted.activityId);
    const undo = await receivedOnce(a, b, undone.activityId);
    assert.equal(undo.object.type, "Announce");
    assert.deepEqual(await a.followers(), [b.actorUrl], "an Undo of a boost is no unfollow");
  });

  it("sends a raw activity signed as the peer, content untouched", async () => {
    const hostile = '<p>hi<script>alert(1)</script><img src=x onerror="alert(2)"></p>';
    const id = `${b.url}/activities/raw-1`;
    const raw = {
      "@context": "https://www.w3.org/ns/activitystreams",
      id,
      type: "Create",
      actor: b.actorUrl,
      object: {
        id: `${b.url}/notes/raw-1`,
        type: "Note",
        attributedTo: b.actorUrl,
        content: hostile,
        name: '<a href="javascript:alert(3)">x</a>',
      },
    };
    const { status } = await b.sendRaw(`${a.url}/users/peer/inbox`, raw);
    assert.equal(status, 202);
    const got = await receivedOnce(a, b, id);
    assert.equal(got.object.content, hostile);
    assert.equal(got.signature, "rfc9421");
    assert.equal(got.keyId, `${b.actorUrl}#main-key`);

    // Unsigned, the same POST is refused: the 202 above was the signature's doing.
    const res = await fetch(`${a.url}/users/peer/inbox`, {
      method: "POST",
      headers: { "content-type": AS },
      body: JSON.stringify({ ...raw, id: `${id}-unsigned` }),
    });
    assert.equal(res.status, 401);
  });
});
