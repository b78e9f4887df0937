import assert from "node:assert/strict";
import { it } from "node:test";
import { Document, Image, Note, Person, PUBLIC_COLLECTION } from "@fedify/vocab";
import { isPublic, MAX_REMOTE_CONTENT, remoteNote } from "./remote-note.js";

const author = new Person({
  id: new URL("https://social.example/users/a"),
  preferredUsername: "a\u202Egnp",
  name: "A <b>\u202Eeman</b>",
  url: new URL("javascript:alert(1)"),
  icon: new Image({ url: new URL("data:image/png;base64,AAAA") }),
});
const noLoader = async (url: string) => {
  throw new Error(`no fetch expected: ${url}`);
};

const note = (values: ConstructorParameters<typeof Note>[0] = {}) =>
  new Note({
    id: new URL("https://social.example/notes/1"),
    attribution: author,
    to: PUBLIC_COLLECTION,
    content: "<p>hi</p>",
    ...values,
  });

it("keeps a remote post bounded and inert: content sanitized and cut between elements, text cleaned, URLs http(s) only", async () => {
  const got = await remoteNote(
    note({
      content: `<p onclick="x()">${"<b>long</b> ".repeat(4000)}<script>alert(1)</script></p>`,
      summary: "cw \u202Etxt",
      attachments: [
        new Document({
          url: new URL("https://media.example/a.png"),
          mediaType: "image/png",
          name: "alt \u202E",
        }),
        new Document({ url: new URL("javascript:alert(2)"), mediaType: "image/png" }),
      ],
    }),
    noLoader,
    "https://social.example/users/a",
  );
  assert.ok(got);
  assert.ok(Buffer.byteLength(got.content) <= MAX_REMOTE_CONTENT);
  const tail = got.content.slice(-40);
  assert.ok(
    got.content.startsWith("<p><b>long</b> ") && /…(<\/b>)?<\/p>$/.test(tail),
    `cut and closed: …${tail}`,
  );
  assert.doesNotMatch(got.content, /script|onclick/);
  assert.equal(got.summary, "cw txt");
  assert.deepEqual(got.attachments, [
    { url: "https://media.example/a.png", mediaType: "image/png", name: "alt " },
  ]);
  assert.equal(
    got.author.name,
    "A <b>eman</b>",
    "text, cleaned of the override (escaped where shown)",
  );
  assert.equal(
    got.author.url,
    "https://social.example/users/a",
    "a javascript: profile URL falls back to the id",
  );
  assert.equal(got.author.icon, undefined, "a data: avatar is dropped");
});

it("speaks for its own author only, and tells public from followers-only", async () => {
  assert.equal(await remoteNote(note(), noLoader, "https://social.example/users/mallory"), null);
  assert.equal(isPublic(note()), true);
  assert.equal(isPublic(note({ to: new URL("https://social.example/users/a/followers") })), false);
  assert.equal(isPublic(note({ to: null, cc: PUBLIC_COLLECTION })), true, "unlisted");
});
