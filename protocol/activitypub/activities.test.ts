/** Unit tests of the activities: the JSON-LD fields Mastodon needs, ids stable per log entry. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Create, Person } from "@fedify/vocab";
import {
  activityId,
  createActivity,
  deleteActivity,
  profileUpdateActivity,
  updateActivity,
} from "./activities.js";
import { audience, compactJson, type Json, offlineLoader } from "./jsonld.test-helper.js";
import { ACTOR, NOTICE, OBJECT_ID, OPTS, PUBLIC } from "./post.test-helper.js";

const AT = "2024-09-01T12:00:00Z";
const DELETED = { uri: NOTICE.uri, url: NOTICE.url, deletedAt: "2024-09-02T12:00:00Z" };

/** What Mastodon reads on every activity we send. */
function assertEnvelope(json: Json, type: string, published: string): void {
  assert.equal(json.type, type);
  assert.match(String(json.id), /^https:\/\/fed\.example\/base\/ap\/activities\/\d+-[a-z-]+$/);
  assert.equal(json.actor, ACTOR);
  assert.deepEqual(audience(json.to), [PUBLIC]);
  assert.deepEqual(audience(json.cc), [`${ACTOR}/followers`]);
  assert.equal(json.published, published);
}

describe("createActivity", () => {
  it("wraps the post object, attributed to the actor", async () => {
    const json = await compactJson(createActivity(NOTICE, OPTS, 7, AT));
    assertEnvelope(json, "Create", AT);
    assert.equal(json.id, "https://fed.example/base/ap/activities/7-create");
    const object = json.object as Json;
    assert.equal(object.type, "Note");
    assert.equal(object.id, OBJECT_ID);
    assert.equal(object.attributedTo, ACTOR);
    assert.equal(object.url, NOTICE.url);
    assert.match(String(object.content), /^<p><strong>Hello/);
    assert.ok(object.tag, "hashtags");
    assert.ok(object.published);
  });

  it("parses back with Fedify, the embedded object kept (same origin as the activity)", async () => {
    const json = await compactJson(createActivity(NOTICE, OPTS, 7, AT));
    const create = await Create.fromJsonLd(json, {
      documentLoader: offlineLoader,
      contextLoader: offlineLoader,
    });
    assert.equal(create.actorId?.href, ACTOR);
    assert.equal(create.objectId?.href, OBJECT_ID);
    assert.equal(new URL(create.id?.href ?? "").origin, new URL(OBJECT_ID).origin);
  });
});

describe("updateActivity", () => {
  it("carries updated: the notice's own", async () => {
    const edited = { ...NOTICE, updated: "2024-08-30T00:00:00Z" };
    const json = await compactJson(updateActivity(edited, OPTS, 8, AT));
    assertEnvelope(json, "Update", AT);
    const object = json.object as Json;
    assert.equal(object.id, OBJECT_ID);
    assert.equal(object.updated, "2024-08-30T00:00:00Z");
  });

  it("carries updated: the entry's time when the notice has none", async () => {
    const json = await compactJson(updateActivity(NOTICE, OPTS, 9, AT));
    assert.equal((json.object as Json).updated, AT);
  });
});

describe("deleteActivity", () => {
  it("carries a Tombstone with the post's object id", async () => {
    const json = await compactJson(deleteActivity(DELETED, OPTS, 10));
    assertEnvelope(json, "Delete", DELETED.deletedAt);
    const object = json.object as Json;
    assert.equal(object.type, "Tombstone");
    assert.equal(object.id, OBJECT_ID);
    assert.equal(object.formerType, "as:Note");
    assert.equal(object.deleted, DELETED.deletedAt);
  });
});

describe("profileUpdateActivity", () => {
  it("wraps the given Person", async () => {
    const person = new Person({ id: new URL(ACTOR), preferredUsername: "alice", name: "Alice" });
    const json = await compactJson(profileUpdateActivity(person, OPTS, 11, AT));
    assertEnvelope(json, "Update", AT);
    assert.deepEqual((json.object as Json).id, ACTOR);
    assert.equal((json.object as Json).name, "Alice");
  });
});

describe("activity ids", () => {
  it("are the same for one entry and different across entries and kinds", async () => {
    const again = async (seq: number) =>
      (await compactJson(updateActivity(NOTICE, OPTS, seq, AT))).id;
    assert.equal(await again(12), await again(12), "a retry reuses its id");
    assert.notEqual(await again(12), await again(13), "each Update gets a fresh id");
    const ids = new Set([
      createActivity(NOTICE, OPTS, 12, AT).id?.href,
      updateActivity(NOTICE, OPTS, 12, AT).id?.href,
      deleteActivity(DELETED, OPTS, 12).id?.href,
      profileUpdateActivity(new Person({ id: new URL(ACTOR) }), OPTS, 12, AT).id?.href,
    ]);
    assert.equal(ids.size, 4);
    assert.equal(
      activityId("https://fed.example", "create", 3).href,
      "https://fed.example/ap/activities/3-create",
    );
  });
});
