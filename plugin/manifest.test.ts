/** The manifest's text: the same bytes as one JSON.stringify of it, however it is put together. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Manifest, ManifestNotice } from "../contract/manifest.js";
import { manifestJson } from "./manifest.js";

const profile: Manifest["profile"] = {
  uri: "https://b.example/",
  profile: "https://b.example/",
  nickname: "b",
  fullname: 'B "Quoted" Example',
  bio: "line one\nline two",
  location: "",
  homepage: "https://b.example/",
  avatar: "",
  license: "",
};

function notice(i: number, more: Partial<ManifestNotice> = {}): ManifestNotice {
  return {
    uri: `https://b.example/posts/${i}/`,
    url: `https://b.example/posts/${i}/`,
    content: `Post ${i} (https://b.example/s/${i}/)`,
    published: new Date(Date.UTC(2024, 0, 1 + i)).toISOString(),
    license: "",
    title: `Café ${i} 東京 🚲`,
    html: `<p class="x">Text of ${i}\n\twith "quotes", a \\ backslash,\r\n\u0001 and \u2028.</p>\n`,
    summary: "",
    tags: i % 2 ? [] : ["a", "b c"],
    language: "",
    ...more,
  };
}

const plain = (m: Manifest) => `${JSON.stringify(m, null, 2)}\n`;

describe("manifestJson", () => {
  it("writes the bytes JSON.stringify(manifest, null, 2) writes, with a final newline", () => {
    for (const count of [0, 1, 2, 7]) {
      const notices = Array.from({ length: count }, (_, i) =>
        notice(i, i === 1 ? { updated: "2024-06-01T00:00:00.000Z", html: "" } : {}),
      );
      const m: Manifest = { version: 2, generator: "g", profile, notices };
      assert.equal(manifestJson(m), plain(m), `${count} notices`);
      assert.deepEqual(JSON.parse(manifestJson(m)), m);
    }
  });

  it("keeps the field order when notices are not the last field", () => {
    const m = { version: 2, notices: [notice(0)], generator: "g", profile } as Manifest;
    assert.equal(manifestJson(m), plain(m));
  });
});
