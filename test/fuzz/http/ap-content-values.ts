/**
 * Field values a hostile server puts in posts: markup that sanitizing must take out (script,
 * event handlers, javascript: and data: links, style, frames, forms, bidi overrides), and
 * values of the wrong kind (numbers, null, arrays where one string is due, language maps,
 * deeply nested objects, a huge string). None names a network URL: the fuzz world's
 * requests stay on loopback (ap-world.ts).
 */
import fc from "fast-check";
import { hostileText } from "../property.js";

export const HOSTILE_HTML = [
  "<script>alert(1)</script>",
  '<img src=x onerror="alert(1)">',
  '<a href="javascript:alert(1)">click</a>',
  '<a href="jav&#x09;ascript:alert(1)">tab</a>',
  '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">data</a>',
  "<style>body{display:none}</style>",
  '<p style="position:fixed;inset:0;background:red">cover</p>',
  '<iframe src="javascript:alert(1)"></iframe>',
  '"><script>alert(1)</script>',
  "'><img src=x onerror=alert(1)>",
  "\u202Egnp.exe <b>bold</b>",
  "<svg onload=alert(1)><circle r=1 /></svg>",
  '<object data="javascript:alert(1)"></object><embed src="data:,x">',
  '<form action="javascript:alert(1)"><input name=x><button>go</button></form>',
  '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
  "<scr<script>ipt>alert(1)</scr</script>ipt>",
  "<!--<script>alert(1)--><p>after a comment</p>",
  '<base href="javascript:/"><meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
  '<p class="mention h-card" onclick="alert(1)"><span class="invisible">x</span>ok</p>',
  "<p>plain, &amp; fine</p>",
];

/** URL-ish values: schemes we refuse, things that are not URLs, Links, arrays. */
export const ODD_URLS: unknown[] = [
  "javascript:alert(1)",
  "data:text/html,<script>alert(1)</script>",
  "JaVaScRiPt:alert(1)",
  " javascript:alert(1)",
  "vbscript:x",
  "not a url",
  "\u202E",
  { type: "Link", href: "javascript:alert(1)", mediaType: "text/html" },
  ["javascript:alert(1)", "data:,x"],
  42,
  null,
];

/** `{"a":{"a":…}}` `n` deep. */
export function nested(n: number): unknown {
  let v: unknown = "<script>alert(1)</script>";
  for (let i = 0; i < n; i++) v = { a: v };
  return v;
}

/** A value where a text field is due: mostly hostile markup, now and then the wrong kind. */
export function oddText(opts: { deep: boolean }): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 10, arbitrary: fc.constantFrom(...HOSTILE_HTML) },
    { weight: 3, arbitrary: hostileText(80) },
    {
      weight: 3,
      arbitrary: fc.constantFrom<unknown>(
        42,
        -0.5,
        null,
        true,
        [],
        {},
        ["<script>alert(1)</script>", "<p>b</p>"],
        { "@value": "<script>alert(1)</script>", "@language": "en" },
        { type: "Note", content: "<script>alert(1)</script>" },
      ),
    },
    { weight: 1, arbitrary: fc.constant(`<p>${"a".repeat(100_000)}</p><script>alert(1)</script>`) },
    { weight: 1, arbitrary: fc.constant(nested(opts.deep ? 70 : 20)) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
  );
}

/** Present once in `1 + absent` draws. */
export function sometimes<T>(arb: fc.Arbitrary<T>, absent = 2): fc.Arbitrary<T | undefined> {
  return fc.oneof(
    { weight: absent, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: arb },
  );
}

/** The fields of a post besides its id, type, author and reply target, each maybe odd. */
export function postFields(opts: { deep: boolean }): fc.Arbitrary<Record<string, unknown>> {
  const text = oddText(opts);
  return fc
    .record({
      content: text,
      summary: sometimes(text),
      name: sometimes(text),
      contentMap: sometimes(fc.record({ en: text, ar: fc.constant("\u202Eمرحبا") })),
      url: sometimes(fc.constantFrom(...ODD_URLS)),
      attachment: sometimes(
        fc.constantFrom<unknown>(
          [
            {
              type: "Document",
              url: "javascript:alert(1)",
              mediaType: "<script>",
              name: '\u202E"><script>alert(1)</script>',
            },
          ],
          [{ type: "Link", href: "data:image/png;base64,AAAA" }],
          Array.from({ length: 40 }, (_, i) => ({ type: "Image", url: `javascript:${i}` })),
          "x",
          7,
        ),
      ),
      tag: sometimes(
        fc.constantFrom<unknown>(
          [{ type: "Mention", href: "javascript:alert(1)", name: "<script>" }],
          [{ type: "Hashtag", name: "#\u202Etag" }],
          "x",
        ),
      ),
      published: sometimes(
        fc.constantFrom<unknown>("2024-01-01T00:00:00Z", "garbage", 42, "9999-99-99T99:99:99Z"),
      ),
      sensitive: sometimes(fc.constantFrom<unknown>(true, "yes", null)),
    })
    .map((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)));
}

/** Ids that are not usable URLs. */
export const GARBAGE_IDS: unknown[] = [
  "",
  "not a url",
  "javascript:alert(1)",
  "urn:uuid:00000000-0000-0000-0000-000000000000",
  "/relative",
  42,
  null,
  [],
  {},
];

/** An actor's profile fields as a hostile server sends them in an Update of itself. */
export function profileFields(opts: { deep: boolean }): fc.Arbitrary<Record<string, unknown>> {
  const text = oddText(opts);
  return fc
    .record({
      name: text,
      preferredUsername: sometimes(text, 1),
      summary: sometimes(text, 1),
      url: sometimes(fc.constantFrom(...ODD_URLS), 1),
      icon: sometimes(
        fc.constantFrom<unknown>(
          { type: "Image", url: "javascript:alert(1)" },
          { type: "Image", url: "data:image/svg+xml,<svg onload=alert(1)>" },
          "javascript:alert(1)",
          [{ type: "Image", url: 7 }],
        ),
        1,
      ),
    })
    .map((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)));
}
