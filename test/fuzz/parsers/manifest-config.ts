/**
 * parseManifest (contract/manifest.ts: the published manifest, read over HTTP after a
 * deploy) and parseConfig (sidecar/config.ts): any JSON value gives a result or the one
 * documented error, naming the field; valid input comes back unchanged.
 */
import assert from "node:assert/strict";
import path from "node:path";
import fc from "fast-check";
import { type Manifest, ManifestError, parseManifest } from "../../../contract/manifest.js";
import { ConfigError, configSchema, parseConfig } from "../../../sidecar/config.js";
import { hostileText, isWellFormed, onlyThrows, type Property, property } from "../property.js";

const httpUrl = fc.webUrl({ withQueryParameters: true, withFragments: true });
const isoDate = fc
  .date({ min: new Date("1990-01-01"), max: new Date("2100-01-01"), noInvalidDate: true })
  .map((d) => d.toISOString());
const shortText = (max: number) => fc.string({ unit: "binary", maxLength: Math.min(max, 80) });

// plain objects, as JSON.parse makes them (fast-check may otherwise use null prototypes)
const plain = { noNullPrototype: true };
const profile = fc.record(
  {
    uri: httpUrl,
    profile: httpUrl,
    nickname: fc.stringMatching(/^[a-z0-9]{1,64}$/),
    fullname: shortText(255),
    bio: shortText(2000),
    location: shortText(255),
    homepage: fc.oneof(fc.constant(""), httpUrl),
    avatar: fc.oneof(fc.constant(""), httpUrl),
    license: fc.oneof(fc.constant(""), httpUrl),
  },
  plain,
);
const notice = fc.record(
  {
    uri: httpUrl,
    url: httpUrl,
    content: fc.string({ unit: "binary", minLength: 1, maxLength: 200 }),
    published: isoDate,
    license: fc.oneof(fc.constant(""), httpUrl),
  },
  plain,
);
const manifest: fc.Arbitrary<Manifest> = fc.record(
  {
    version: fc.constant(1 as const),
    generator: fc.string({ maxLength: 50 }),
    generated: isoDate,
    profile,
    notices: fc.array(notice, { maxLength: 5 }),
  },
  { requiredKeys: ["version", "profile", "notices"], ...plain },
);

/** A path into a JSON value and a replacement there: a wrong type, a huge or hostile value. */
const damage = fc.tuple(
  fc.array(fc.nat(), { minLength: 1, maxLength: 4 }),
  fc.oneof(
    fc.constantFrom(null, true, 0, -1, 1e308, [], {}, "", "x".repeat(3000)),
    hostileText(40),
    fc.jsonValue({ maxDepth: 2 }),
  ),
);

/** Replaces the value found by following `steps` (each an index into the keys there). */
function damaged(value: unknown, steps: number[], replacement: unknown): unknown {
  if (typeof value !== "object" || value === null || steps.length === 0) return replacement;
  const [step = 0, ...rest] = steps;
  const copy = (Array.isArray(value) ? [...value] : { ...value }) as Record<string, unknown>;
  const keys = Object.keys(copy);
  if (keys.length === 0) return copy;
  const key = keys[step % keys.length] as string;
  copy[key] = damaged(copy[key], rest, replacement);
  return copy;
}

/** Every config key with values of the right shape, and some of the wrong one. */
const configValue = fc.oneof(fc.jsonValue({ maxDepth: 2 }), hostileText(20));
const config = fc.record(
  {
    siteUrl: fc.oneof(httpUrl, configValue),
    publicUrl: fc.oneof(httpUrl, configValue),
    host: fc.oneof(fc.constant("127.0.0.1"), configValue),
    port: fc.oneof(fc.integer({ min: -10, max: 70000 }), configValue),
    dataFile: fc.oneof(fc.constant("store.json"), configValue),
    manifest: fc.oneof(httpUrl, fc.constant("_site/federation/manifest.json"), configValue),
    allowPrivateNetworks: fc.oneof(fc.boolean(), configValue),
    trustProxy: configValue,
    logLevel: fc.oneof(fc.constantFrom("info", "trace", "loud"), configValue),
    fsync: fc.oneof(fc.boolean(), configValue),
    delivery: fc.oneof(
      fc.record({ concurrency: configValue, baseDelaySeconds: configValue }),
      configValue,
    ),
    poll: configValue,
    licenseMode: fc.oneof(fc.constantFrom("any", "equal", "statusnet-0.9", "none"), configValue),
    maxNoticeChars: configValue,
    buildHook: configValue,
    login: configValue,
    subscribe: fc.oneof(
      fc.record({ maxAttempts: configValue, windowMinutes: configValue }),
      configValue,
    ),
    unknownKey: configValue,
  },
  { requiredKeys: [] },
);
const validConfig = fc.record(
  {
    siteUrl: httpUrl,
    publicUrl: httpUrl,
    port: fc.integer({ min: 0, max: 65535 }),
    dataFile: fc.constantFrom("store.json", "../data/store.json", "/var/lib/fed/store.json"),
    manifest: fc.oneof(httpUrl, fc.constant("_site/federation/manifest.json")),
    allowPrivateNetworks: fc.boolean(),
    logLevel: fc.constantFrom("info", "trace", "silent"),
    subscribe: fc.record({ maxAttempts: fc.integer({ min: 1, max: 1e6 }) }, { requiredKeys: [] }),
  },
  { requiredKeys: ["siteUrl", "publicUrl"] },
);
const BASE_DIR = "/srv/site";

function allStrings(value: unknown, check: (s: string) => void): void {
  if (typeof value === "string") check(value);
  else if (typeof value === "object" && value !== null)
    for (const v of Object.values(value)) allStrings(v, check);
}

export const properties: Record<string, Property> = {
  "parseManifest of any JSON value: a manifest or ManifestError": property(
    fc.oneof(fc.jsonValue(), fc.anything()),
    (json) => {
      const r = onlyThrows(ManifestError, () => parseManifest(json, "fuzz"));
      if (r instanceof ManifestError) assert.match(r.message, /invalid manifest at fuzz: /);
    },
  ),

  "a valid manifest comes back unchanged, also through JSON": property(manifest, (m) => {
    assert.deepEqual(parseManifest(m, "fuzz"), m);
    assert.deepEqual(parseManifest(JSON.parse(JSON.stringify(m)), "fuzz"), m);
  }),

  "a damaged manifest: accepted as valid, or ManifestError naming a field": property(
    fc.tuple(manifest, damage),
    ([m, [steps, replacement]]) => {
      const input = damaged(m, steps, replacement);
      const r = onlyThrows(ManifestError, () => parseManifest(input, "fuzz"));
      if (r instanceof ManifestError) assert.match(r.message, /: (\(root\)|[a-z]+[.\w]*): /);
    },
  ),

  "whatever parseManifest accepts can be sent (no lone surrogate to break percent-encoding)":
    property(
      fc.tuple(manifest, damage, fc.integer({ min: 0xd800, max: 0xdfff })),
      ([m, [steps], unit]) => {
        // a lone surrogate (JSON "\ud800", or a post's "&#xD800;") somewhere in the manifest
        const input = damaged(m, steps, `text ${String.fromCharCode(unit)}`);
        const r = onlyThrows(ManifestError, () => parseManifest(input, "fuzz"));
        // the profile and the notices are what gets sent (the generator name is not)
        if (!(r instanceof ManifestError))
          allStrings([r.profile, r.notices], (s) => assert.ok(isWellFormed(s), s));
      },
    ),

  "a valid config parses: defaults filled in, paths resolved against its directory": property(
    validConfig,
    (raw) => {
      const c = parseConfig(raw, "fuzz.json", BASE_DIR, {});
      assert.equal(
        c.dataFile,
        path.resolve(BASE_DIR, raw.dataFile ?? "federation-data/store.json"),
      );
      assert.equal(c.subscribe.maxAttempts, raw.subscribe?.maxAttempts ?? 60);
      assert.equal(c.subscribe.windowMinutes, 10);
      assert.equal(c.allowPrivateNetworks, raw.allowPrivateNetworks ?? false);
    },
  ),

  "parseConfig of any value: a config or ConfigError": property(
    fc.oneof(fc.anything(), config),
    (raw) => {
      const r = onlyThrows(ConfigError, () => parseConfig(raw, "fuzz.json", BASE_DIR, {}));
      if (r instanceof ConfigError) {
        assert.match(r.message, /invalid config fuzz\.json:\n {2}- /);
        return;
      }
      assert.ok(path.isAbsolute(r.dataFile), r.dataFile);
      assert.ok(r.siteUrl.endsWith("/") && r.publicUrl.endsWith("/"));
      // what passed the schema passes it again (nothing half-validated slips through)
      assert.ok(configSchema.safeParse(raw).success);
    },
  ),
};
