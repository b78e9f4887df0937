/**
 * ActivityPub notices whose every remote field carries script, event handlers, script and
 * data URLs, styles, frames, forms, bidi overrides and attribute breakouts: the timeline and
 * following pages, parsed, hold nothing live from them.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { InboxExport } from "../../contract/inbox-export.js";
import { renderFollowing, renderTimeline, standalonePage } from "./html.js";
import {
  type Element,
  elementsOf,
  hasClass,
  inside,
  one,
  textOf,
} from "./html-parse.test-helper.js";
import { parseInbox } from "./inbox.js";
import { cleanTimeline } from "./pages.js";
import { type FederationTimeline, mergeTimeline, type TimelineEntry } from "./timeline.js";

const RLO = "\u202e";
const SCRIPT = '<script>alert("x")</script>';
const BREAKOUT = `"><script>alert(1)</script><img src=x onerror=alert(2)>`;
/** Markup for a text field (names, handles, alt text, the content warning). */
const TEXT = `T ${SCRIPT} ${BREAKOUT} <style>*{--evil:1}</style> <iframe src="https://evil.example/"></iframe> <form action="https://evil.example/"><input name=q></form> ${RLO}gnp.exe`;
/** URLs for a URL field: each dropped, or kept only as an escaped http(s) attribute value. */
const BAD_URLS = [
  "javascript:alert(1)",
  " JaVaScRiPt:alert(1)",
  "java\tscript:alert(1)",
  `data:text/html,${SCRIPT}`,
  "data:image/svg+xml,<svg onload=alert(1)>",
  "vbscript:msgbox(1)",
  `https://evil.example/a.png${BREAKOUT}`,
  `https://evil.example/a.png" onerror="alert(1)" style="x:y`,
  "//evil.example/protocol-relative.png",
];

const CONTENT = [
  `<p>hi ${SCRIPT}<img src="https://evil.example/i.png" onerror="alert(2)">`,
  `<a href="javascript:alert(3)">js</a> <a href=" JaVaScRiPt:alert(3)">js2</a>`,
  `<a href="jav&#x09;ascript:alert(3)">js3</a> <a href="data:text/html,${SCRIPT}">data</a>`,
  `<a href="https://ok.example/" onclick="alert(4)" style="position:fixed">ok</a>`,
  `<span style="color:red" onmouseover="alert(5)" class="invisible">s</span>`,
  `<style>body{--evil:2}</style><iframe src="https://evil.example/"></iframe>`,
  `<form action="https://evil.example/"><input name="q"><button formaction="javascript:alert(6)">go</button></form>`,
  `<object data="https://evil.example/x.swf"></object><embed src="https://evil.example/x.swf">`,
  `<svg onload="alert(7)"><script>alert(8)</script></svg><math><mi xlink:href="javascript:alert(9)">m</mi></math>`,
  `<video src="https://evil.example/v.mp4" poster="javascript:alert(10)"></video><base href="https://evil.example/">`,
  `<meta http-equiv="refresh" content="0;url=javascript:alert(11)"><link rel="stylesheet" href="https://evil.example/x.css">`,
  `${RLO}txt.exe</p>${BREAKOUT}<p onclick="alert(12)">p</p><noscript><p title="</noscript><img src=x onerror=alert(13)>">`,
].join(" ");

/** A remote account whose every field is hostile; `i` picks which bad URL it uses. */
const actor = (i: number) => ({
  id: BAD_URLS[(i + 3) % BAD_URLS.length] as string,
  name: TEXT,
  handle: `@${TEXT}`,
  url: BAD_URLS[i % BAD_URLS.length] as string,
  icon: BAD_URLS[(i + 1) % BAD_URLS.length] as string,
});

/** One notice per bad URL, so each sits in each URL field once; every text field hostile. */
function hostileInbox(): InboxExport {
  const following = BAD_URLS.map((url, i) => ({
    uri: `https://evil.example/users/${i}`,
    profile: {
      uri: url,
      profile: url,
      nickname: TEXT,
      license: TEXT,
      fullname: TEXT,
      homepage: url,
      bio: TEXT,
      location: TEXT,
      avatar: BAD_URLS[(i + 1) % BAD_URLS.length] as string,
    },
    since: "2026-01-01T00:00:00.000Z",
    protocol: "activitypub" as const,
    pending: i % 2 === 0,
  }));
  const inbox = BAD_URLS.map((url, i) => ({
    uri: url,
    listeneeUri: `https://evil.example/users/${i}`,
    content: CONTENT,
    url,
    license: TEXT,
    receivedAt: `2026-01-02T10:0${i}:00.000Z`,
    activitypub: {
      author: actor(i),
      boostedBy: actor(i + 2),
      boostedAt: i % 2 ? BREAKOUT : "2026-01-02T09:00:00Z",
      summary: TEXT,
      published: BREAKOUT,
      updated: i % 2 ? `javascript:${SCRIPT}` : "2026-01-02T09:30:00Z",
      attachments: BAD_URLS.flatMap((bad, j) => [
        { url: bad, mediaType: "image/png", name: TEXT },
        { url: bad, mediaType: `image/png${BREAKOUT}`, name: TEXT },
        {
          url: `https://media.example/${j}.mp4`,
          mediaType: `video/mp4${BREAKOUT}`,
          name: j % 2 ? TEXT : `javascript:${SCRIPT}`,
        },
        { url: `https://media.example/${j}.png`, mediaType: `IMAGE/png ${BREAKOUT}` },
      ]),
    },
  }));
  // Through the contract's own parser, as the plugin reads the sidecar's file.
  return parseInbox(
    JSON.stringify({ version: 1, generated: "2026-01-02T12:00:00Z", following, inbox }),
    "inbox.file",
    "hostile test inbox",
  );
}

/** Elements the pages themselves are made of; anything else came from remote input. */
const OUR_ELEMENTS = new Set(
  "html head meta title style body section h1 h2 p a ol ul li div span bdi time img details summary nav strong em b i u del pre code blockquote br".split(
    " ",
  ),
);
const OUR_ATTRIBUTES = new Set(
  "lang charset name content class href rel target dir src alt width height loading referrerpolicy datetime data-source aria-label start reversed value".split(
    " ",
  ),
);
const URL_ATTRIBUTES = ["href", "src"];
const HTTP = /^https?:\/\//i;
const LIVE_SCHEME = /^\s*(javascript|data|vbscript)\s*:/i;
const BIDI_OR_CONTROL = /(?![\t\n])[\p{Cc}\p{Bidi_Control}]/u;

/** What a page must not hold; returns the offending elements, described, for the message. */
function liveParts(page: string): string[] {
  const found: string[] = [];
  const els = elementsOf(page);
  for (const el of els) {
    const where = `<${el.name} ${JSON.stringify(el.attribs)}>`;
    if (!OUR_ELEMENTS.has(el.name)) found.push(`element ${where}`);
    for (const [name, value] of Object.entries(el.attribs)) {
      if (!OUR_ATTRIBUTES.has(name)) found.push(`attribute ${name} on ${where}`);
      if (/^on/i.test(name) || name === "style") found.push(`${name}= on ${where}`);
      if (LIVE_SCHEME.test(value)) found.push(`script/data URL in ${name} on ${where}`);
      if (BIDI_OR_CONTROL.test(value)) found.push(`bidi/control in ${name} on ${where}`);
    }
    for (const name of URL_ATTRIBUTES) {
      const url = el.attribs[name];
      // Our own links (pages of the site) are relative paths; every remote one is http(s).
      if (url !== undefined && !url.startsWith("/") && !HTTP.test(url))
        found.push(`non-http(s) ${name} on ${where}`);
      if (url?.startsWith("//")) found.push(`protocol-relative ${name} on ${where}`);
    }
    if (el.name === "img" && !HTTP.test(el.attribs.src ?? ""))
      found.push(`img without http(s) src ${where}`);
  }
  const styles = els.filter((el) => el.name === "style");
  if (
    styles.length > 1 ||
    styles.some((s) => s.parent?.type !== "tag" || (s.parent as Element).name !== "head")
  )
    found.push(`${styles.length} style elements, not only the page's own in <head>`);
  if (styles.some((s) => textOf(s).includes("--evil"))) found.push("remote CSS in <style>");
  if (els[0] && BIDI_OR_CONTROL.test(textOf(els[0])))
    found.push("a bidi override or control character in the text");
  return found;
}

const PAGE = { pageNumber: 0, pageCount: 1, previous: null, next: null };

function pages(t: FederationTimeline): string[] {
  return [
    standalonePage("Timeline", renderTimeline(t.entries, PAGE, "/following/")),
    standalonePage("Following", renderFollowing(t, "/timeline/")),
  ];
}

describe("hostile ActivityPub notices and accounts", () => {
  it("the checks find live markup when there is some", () => {
    for (const bad of [
      "<p onclick=x>a</p>",
      '<a href=" javascript:x">a</a>',
      '<img src="data:image/png,x">',
      "<script></script>",
      '<p style="x">a</p>',
      "<body><style>p{}</style></body>",
      "<iframe></iframe>",
      "<form></form>",
      `<p>${RLO}</p>`,
    ])
      assert.notDeepEqual(
        liveParts(`<html><body><section>${bad}</section></body></html>`),
        [],
        bad,
      );
  });

  it("render with nothing live, from the model as made or as cleaned for templates", () => {
    const raw = mergeTimeline(hostileInbox(), { entries: [], feeds: [] });
    assert.equal(raw.entries.length, BAD_URLS.length);
    for (const t of [raw, cleanTimeline(raw)])
      for (const page of pages(t)) assert.deepEqual(liveParts(page), []);
  });

  it("sanitize the post's HTML as they render it, whatever the entry holds", () => {
    // An entry made by hand (a site's own code, or a model bug): its HTML never sanitized.
    const [made] = mergeTimeline(hostileInbox(), { entries: [], feeds: [] }).entries;
    assert.ok(made?.activitypub);
    const entry: TimelineEntry = { ...made, activitypub: { ...made.activitypub, html: CONTENT } };
    const page = standalonePage("Timeline", renderTimeline([entry], PAGE, "/following/"));
    assert.deepEqual(liveParts(page), []);
    const content = one(
      inside(
        one(
          elementsOf(page).filter((el) => el.name === "section"),
          "section",
        ),
        "e-content",
      ),
      "content",
    );
    assert.match(
      textOf(content),
      /^hi +js js2 js3 .*data ok s .*txt\.exe/s,
      "the post's text is kept",
    );
  });

  it("show the hostile text as text, and drop what is not an http(s) URL", () => {
    const t = mergeTimeline(hostileInbox(), { entries: [], feeds: [] });
    const els = elementsOf(pages(t)[0] as string);
    const cleaned = TEXT.replace(RLO, "");
    const names = els.filter((el) => hasClass(el, "p-name") && el.name !== "h1").map(textOf);
    assert.equal(names.length, 2 * BAD_URLS.length, "every author and booster named");
    for (const n of names) assert.equal(n, cleaned);
    for (const s of els.filter((el) => el.name === "summary")) assert.equal(textOf(s), cleaned);
    // Only the http(s) attachment URLs are left: the two per bad URL that are http(s).
    const images = els.filter((el) => el.name === "img" && !hasClass(el, "u-photo"));
    for (const img of images) assert.ok(HTTP.test(img.attribs.src ?? ""), img.attribs.src);
    assert.ok(
      images.some((img) => img.attribs.alt === cleaned),
      "alt text kept, as text",
    );
    assert.ok(
      images.some((img) => img.attribs.src === `https://evil.example/a.png${BREAKOUT}`),
      "a breakout in a URL stays inside its attribute",
    );
  });
});
