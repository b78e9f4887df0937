import assert from "node:assert/strict";
import { test } from "node:test";
import { ConfigError, parseConfig } from "./config.js";

const base = { siteUrl: "https://example.com", publicUrl: "https://example.com/" };

test("defaults fill in, URLs get their trailing slash, relative paths resolve against the config's folder", () => {
  const c = parseConfig(
    { ...base, dataFile: "data/store.json", manifest: "_site/m.json" },
    "c.json",
    "/etc/ef",
    {},
  );
  assert.equal(c.siteUrl, "https://example.com/");
  const mixed = parseConfig(
    { siteUrl: "HTTPS://Blog.Example.COM/Path", publicUrl: "https://Fed.Example/" },
    "c",
    "/",
    {},
  );
  assert.equal(
    mixed.siteUrl,
    "https://blog.example.com/Path/",
    "scheme and host as the XRDS writes them",
  );
  assert.equal(mixed.publicUrl, "https://fed.example/");
  assert.equal(c.port, 8080);
  assert.equal(c.delivery.concurrency, 64);
  assert.equal(c.dataFile, "/etc/ef/data/store.json");
  assert.equal(c.manifest, "/etc/ef/_site/m.json");
  assert.equal(
    parseConfig({ ...base, manifest: "https://example.com/m.json" }, "c", "/", {}).manifest,
    "https://example.com/m.json",
  );
});

test("a misspelled key is refused at any depth, naming where it is", () => {
  for (const [raw, where] of [
    [{ ...base, prot: 1 }, /prot: unknown key "prot"\. Did you mean "port"\?/],
    [{ ...base, delivery: { concurency: 3 } }, /unknown key "concurency" in "delivery"/],
    [{ ...base, login: { sessionHour: 1 } }, /Did you mean "sessionHours"\?/],
    [
      { ...base, buildHook: { URL: "https://x/" } },
      /buildHook\.URL: unknown key "URL" in "buildHook"/,
    ],
  ] as const) {
    assert.throws(
      () => parseConfig(raw, "c.json", "/", {}),
      (e: Error) => e instanceof ConfigError && where.test(e.message),
    );
  }
});

test("bad values name the key", () => {
  assert.throws(
    () => parseConfig({ ...base, siteUrl: "ftp://x" }, "c.json", "/", {}),
    /siteUrl: must be an absolute http\(s\) URL/,
  );
  assert.throws(() => parseConfig({ ...base, port: 70000 }, "c.json", "/", {}), /port:/);
});
