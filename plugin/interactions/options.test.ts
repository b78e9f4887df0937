import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FederationOptionError, resolveOptions } from "../options.js";

const good = {
  siteUrl: "https://blog.example.com/",
  sidecarUrl: "https://fed.example.com/base",
  profile: { nickname: "mira" },
};

/** Each problem of a failing resolve: its option, and its message with the fix. */
function problems(extra: Record<string, unknown>): { option: string; said: string }[] {
  try {
    resolveOptions({ ...good, ...extra });
  } catch (err) {
    assert.ok(err instanceof FederationOptionError, String(err));
    return err.problems.map((p) => ({ option: p.option, said: `${p.message}. Fix: ${p.fix}` }));
  }
  assert.fail(`accepted: ${JSON.stringify(extra)}`);
}

const options = (extra: Record<string, unknown>) => problems(extra).map((p) => p.option);

describe("the interactions option", () => {
  it("defaults to none", () => {
    assert.equal(resolveOptions(good).interactions, null);
    assert.equal(resolveOptions({ ...good, interactions: null }).interactions, null);
  });

  it("reads the export from a file, or from the sidecar's signed endpoint", () => {
    assert.deepEqual(
      resolveOptions({ ...good, interactions: { file: "data/interactions.json" } }).interactions,
      { kind: "file", path: "data/interactions.json" },
    );
    assert.deepEqual(resolveOptions({ ...good, interactions: { url: true } }).interactions, {
      kind: "url",
      url: "https://fed.example.com/base/admin/interactions.json",
      secretEnv: "FEDERATION_HOOK_SECRET",
    });
    assert.deepEqual(
      resolveOptions({
        ...good,
        interactions: { url: "http://127.0.0.1:9/admin/interactions.json", secretEnv: "MINE" },
      }).interactions,
      { kind: "url", url: "http://127.0.0.1:9/admin/interactions.json", secretEnv: "MINE" },
    );
  });

  it("refuses bad values, naming each option and what to write", () => {
    assert.deepEqual(options({ interactions: "interactions.json" }), ["interactions"]);
    assert.match(
      problems({ interactions: {} })[0]?.said ?? "",
      /^needs file or url\. Fix: use file when the build runs beside the sidecar/,
    );
    assert.match(
      problems({ interactions: { file: "a.json", url: true } })[0]?.said ?? "",
      /^has both file and url/,
    );
    assert.deepEqual(options({ interactions: { file: "" } }), ["interactions.file"]);
    assert.match(
      problems({ interactions: { url: "ftp://x.example/" } })[0]?.said ?? "",
      /must be true or an absolute http\(s\) URL.*<sidecarUrl>\/admin\/interactions\.json/,
    );
    assert.deepEqual(options({ interactions: { url: "ftp://x.example/" } }), ["interactions.url"]);
    assert.deepEqual(options({ interactions: { url: true, secretEnv: "not a name" } }), [
      "interactions.secretEnv",
    ]);
    assert.deepEqual(options({ interactions: { file: "a.json", path: "b" } }), [
      "interactions.path",
    ]);
  });
});
