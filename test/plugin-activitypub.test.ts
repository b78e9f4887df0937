/**
 * The plugin's ActivityPub discovery in real builds: the home page's links to the actor, the
 * static WebFinger, host-meta and NodeInfo fallbacks (parsed as a peer would), written to disk
 * in `.well-known/`, and followed to a real sidecar on loopback, whose answers they must match.
 */
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { Eleventy, type EleventyJsonResult } from "@11ty/eleventy";
import { DOMParser } from "@xmldom/xmldom";
import {
  HOST_META_PATH,
  NODEINFO_DISCOVERY_PATH,
  WEBFINGER_PATH,
} from "../plugin/activitypub-discovery.js";
import eleventyFederation from "../plugin/index.js";
import { WELL_KNOWN_PATHS } from "../sidecar/activitypub/urls.js";
import { type ApSidecar, startApSidecar } from "./helpers/ap-sidecar.js";

const AP = "application/activity+json";
const SITE = "https://blog.example.org/";
const SIDECAR = "https://fed.example.org/federation";
const ACTOR = `${SIDECAR}/ap/users/mira`;

interface Jrd {
  subject: string;
  aliases?: string[];
  links: { rel: string; type?: string; href?: string; template?: string }[];
}

const link = (jrd: Jrd, rel: string) => jrd.links.find((l) => l.rel === rel);

/** The lrdd template of a host-meta document, read as Mastodon reads it (XRD namespace). */
function lrddTemplate(xml: string): string | null {
  const doc = new DOMParser().parseFromString(xml, "text/xml");
  const links = doc.getElementsByTagNameNS("http://docs.oasis-open.org/ns/xri/xrd-1.0", "Link");
  for (const l of Array.from(links)) {
    if (l.getAttribute("rel") === "lrdd") return l.getAttribute("template");
  }
  return null;
}

type Config = { addPlugin(p: unknown, o: unknown): void };

/** A one-page site with the plugin, built in memory (`toJSON`) or to `<dir>/_site`. */
async function buildSite(dir: string, options: Record<string, unknown>, toDisk = false) {
  const warnings: string[] = [];
  const elev = new Eleventy(dir, path.join(dir, "_site"), {
    configPath: false,
    quietMode: true,
    config: (cfg) => {
      (cfg as { logger?: unknown }).logger = { warn: (m: string) => warnings.push(m) };
      (cfg as Config).addPlugin(eleventyFederation, options);
    },
  });
  if (!toDisk) return { out: await elev.toJSON(), warnings };
  await elev.write();
  return { out: [], warnings };
}

/** The messages of an error Eleventy wrapped, outermost first. */
function messagesOf(err: unknown): string {
  const messages: string[] = [];
  for (
    let e = err;
    e instanceof Error;
    e = (e as Error & { originalError?: unknown }).originalError ?? e.cause
  ) {
    messages.push(e.message);
  }
  return messages.join("\n");
}

describe("example site: ActivityPub discovery", () => {
  let outputs: EleventyJsonResult[];
  const output = (url: string) => {
    const found = outputs.find((o) => o.url === url);
    assert.ok(found, `no output at ${url}; built: ${outputs.map((o) => o.url).join(", ")}`);
    return found.content;
  };
  before(async () => {
    process.env.SITE_URL = SITE;
    process.env.SIDECAR_URL = SIDECAR;
    const elev = new Eleventy(undefined, undefined, {
      configPath: "example-site/eleventy.config.js",
      quietMode: true,
    });
    outputs = await elev.toJSON();
  });

  it("links the actor from the home page's head, beside the Yadis tag, and only there", () => {
    const home = output("/");
    const head = home.slice(0, home.indexOf("</head>"));
    assert.ok(head.includes(`<link rel="alternate" type="${AP}" href="${ACTOR}">`), head);
    assert.ok(head.includes(`<link rel="me" href="${ACTOR}">`), head);
    assert.ok(
      head.includes(`<link rel="me" href="${SITE}">`),
      "the site as me: Mastodon's link check",
    );
    assert.ok(head.includes("X-XRDS-Location"), "the Yadis tag is still there");
    assert.equal(home.split(AP).length, 2, "one alternate link");
    assert.ok(!output("/about/").includes(AP), "only the home page");
  });

  it("writes a WebFinger JRD for @mira@blog.example.org pointing at the actor", () => {
    const jrd = JSON.parse(output(WEBFINGER_PATH)) as Jrd;
    assert.equal(jrd.subject, "acct:mira@blog.example.org");
    assert.deepEqual(jrd.aliases, [ACTOR, SITE]);
    assert.deepEqual(link(jrd, "self"), { rel: "self", type: AP, href: ACTOR });
    assert.equal(link(jrd, "http://webfinger.net/rel/profile-page")?.href, SITE);
  });

  it("writes host-meta sending WebFinger to the sidecar's host root", () => {
    assert.equal(
      lrddTemplate(output(HOST_META_PATH)),
      "https://fed.example.org/.well-known/webfinger?resource={uri}",
    );
  });

  it("writes NodeInfo discovery linking the sidecar's NodeInfo 2.1", () => {
    const nodeinfo = JSON.parse(output(NODEINFO_DISCOVERY_PATH)) as Jrd;
    assert.deepEqual(nodeinfo.links, [
      { rel: "http://nodeinfo.diaspora.software/ns/schema/2.1", href: `${SIDECAR}/nodeinfo/2.1` },
    ]);
  });

  it("uses the paths the sidecar serves", () => {
    assert.ok((WELL_KNOWN_PATHS as readonly string[]).includes(WEBFINGER_PATH));
    assert.ok((WELL_KNOWN_PATHS as readonly string[]).includes(NODEINFO_DISCOVERY_PATH));
  });
});

describe("fallbacks built to disk, followed to a real sidecar", () => {
  let dir: string;
  let sc: ApSidecar;
  let sidecarUrl: string;
  // OMB's URL rule refuses an IP address as host, so the plugin gets "localhost" for the
  // sidecar; the sidecar itself is asked on 127.0.0.1, where it listens.
  const onLoopback = (u: string) => u.replace("//localhost:", "//127.0.0.1:");
  const file = (name: string) => readFile(path.join(dir, "_site", name), "utf8");

  before(async () => {
    sc = await startApSidecar({}, { nickname: "mira", siteUrl: SITE });
    sidecarUrl = sc.url.replace("//127.0.0.1:", "//localhost:");
    dir = await mkdtemp(path.join(tmpdir(), "eleventy-federation-ap-"));
    await writeFile(path.join(dir, "index.html"), "<html><head></head><body>hi</body></html>\n");
    await buildSite(dir, { siteUrl: SITE, sidecarUrl, profile: { nickname: "mira" } }, true);
  });
  after(async () => {
    await sc?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("writes the three files into .well-known/, without extensions", async () => {
    for (const p of [WEBFINGER_PATH, HOST_META_PATH, NODEINFO_DISCOVERY_PATH]) {
      assert.ok((await file(p)).length > 0, p);
    }
  });

  it("the static JRD says what the sidecar's WebFinger says for the handle", async () => {
    const local = JSON.parse(await file(WEBFINGER_PATH)) as Jrd;
    const res = await fetch(
      `${sc.url}.well-known/webfinger?resource=${encodeURIComponent(local.subject)}`,
    );
    assert.equal(res.status, 200);
    const remote = (await res.json()) as Jrd;
    assert.equal(remote.subject, local.subject, "the subject round-trips");
    const self = onLoopback(link(local, "self")?.href ?? "");
    assert.equal(self, link(remote, "self")?.href);
    const actor = await fetch(self, { headers: { accept: AP } });
    assert.equal(actor.status, 200);
    assert.equal(((await actor.json()) as { id: string }).id, self);
  });

  it("host-meta's template reaches the sidecar's WebFinger for the handle", async () => {
    const template = onLoopback(lrddTemplate(await file(HOST_META_PATH)) ?? "");
    const res = await fetch(
      template.replace("{uri}", encodeURIComponent("acct:mira@blog.example.org")),
    );
    assert.equal(res.status, 200, template);
    const jrd = (await res.json()) as Jrd;
    assert.equal(link(jrd, "self")?.href, `${sc.url}ap/users/mira`);
  });

  it("NodeInfo discovery's link answers with the sidecar's NodeInfo", async () => {
    const local = JSON.parse(await file(NODEINFO_DISCOVERY_PATH)) as Jrd;
    const res = await fetch(onLoopback(local.links[0]?.href ?? ""));
    assert.equal(res.status, 200);
    const info = (await res.json()) as { protocols: string[] };
    assert.deepEqual(info.protocols, ["activitypub"]);
  });
});

describe("activitypub option", () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "eleventy-federation-ap-"));
    await writeFile(path.join(dir, "index.html"), "<html><head></head><body>hi</body></html>\n");
  });
  after(() => rm(dir, { recursive: true, force: true }));
  const base = {
    siteUrl: "https://a.example/",
    sidecarUrl: "https://fed.a.example/",
    profile: { nickname: "a" },
  };
  const wellKnown = (out: EleventyJsonResult[]) =>
    out.filter((o) => String(o.url).startsWith("/.well-known/"));

  it("false: no links and no fallbacks", async () => {
    const { out } = await buildSite(dir, { ...base, activitypub: false });
    assert.deepEqual(wellKnown(out), []);
    const home = out.find((o) => o.url === "/")?.content ?? "";
    assert.ok(home.includes("X-XRDS-Location"));
    assert.ok(!home.includes(AP) && !home.includes('rel="me"'), home);
  });

  it("a site below its host's root gets the links, no fallbacks, and a warning saying why", async () => {
    const { out, warnings } = await buildSite(dir, { ...base, siteUrl: "https://a.example/blog/" });
    assert.deepEqual(wellKnown(out), []);
    assert.ok(out.find((o) => o.url === "/")?.content.includes(AP));
    assert.ok(
      warnings.some((w) => /below its host's root.*\/blog\/\.well-known\/webfinger/.test(w)),
      warnings.join("\n"),
    );
  });

  it("stops the build on a value that is not a boolean, naming the option and the fix", async () => {
    const elev = new Eleventy(dir, path.join(dir, "_site"), {
      configPath: false,
      quietMode: true,
      config: (cfg) =>
        (cfg as Config).addPlugin(eleventyFederation, { ...base, activitypub: "yes" }),
    });
    await assert.rejects(elev.toJSON(), (err: unknown) => {
      assert.match(
        messagesOf(err),
        /option "activitypub" must be true or false, got "yes"\. Fix: write true or false, without quotes/,
      );
      return true;
    });
  });
});
