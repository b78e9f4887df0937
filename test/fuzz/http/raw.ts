/**
 * Requests no client library would frame: broken chunked encoding, Content-Length that lies
 * or repeats, both framings at once, malformed request and header lines, bare LF, bytes
 * that are not UTF-8. Sent on a fresh connection each (see Sender.sendRaw).
 */
import fc from "fast-check";
import { SIDECAR_PATHS } from "../../../contract/public-paths.js";
import type { RawRequest } from "./sender.js";

const FORM = "profile_url=http%3A%2F%2F10.0.0.1%2Falice";
const TARGETS = [
  SIDECAR_PATHS.subscribe,
  `${SIDECAR_PATHS.finishSubscribe}?oauth_token=x`,
  "/healthz",
  "*",
  `http://site.example${SIDECAR_PATHS.subscribe}`,
  `${SIDECAR_PATHS.subscribe}\u00ff%`,
  `${SIDECAR_PATHS.subscribe} x`,
  "",
];

/** Targets a GET is answered 200 at (the subscribe form, /healthz). */
const SERVED_BY_GET = [
  SIDECAR_PATHS.subscribe,
  "/healthz",
  `http://site.example${SIDECAR_PATHS.subscribe}`,
];

interface Framing {
  headers: string[];
  body: string;
  incomplete: boolean;
}

const chunk = (s: string) => `${s.length.toString(16)}\r\n${s}\r\n`;

/** How the body is delimited, correctly or not. */
const framing = fc.constantFrom<Framing>(
  { headers: [`Content-Length: ${FORM.length}`], body: FORM, incomplete: false },
  { headers: [`Content-Length: ${FORM.length + 50}`], body: FORM, incomplete: true },
  { headers: ["Content-Length: 3"], body: FORM, incomplete: false },
  { headers: ["Content-Length: -1"], body: FORM, incomplete: false },
  { headers: ["Content-Length: abc"], body: FORM, incomplete: false },
  { headers: ["Content-Length: 99999999999999999999"], body: FORM, incomplete: true },
  { headers: ["Content-Length: 5", "Content-Length: 6"], body: FORM, incomplete: false },
  { headers: ["Content-Length: 5, 5"], body: FORM, incomplete: false },
  { headers: ["Transfer-Encoding: chunked"], body: `${chunk(FORM)}0\r\n\r\n`, incomplete: false },
  { headers: ["Transfer-Encoding: chunked"], body: chunk(FORM), incomplete: true },
  {
    headers: ["Transfer-Encoding: chunked"],
    body: `zz\r\n${FORM}\r\n0\r\n\r\n`,
    incomplete: false,
  },
  { headers: ["Transfer-Encoding: chunked"], body: `-5\r\nabc\r\n0\r\n\r\n`, incomplete: false },
  {
    headers: ["Transfer-Encoding: chunked"],
    body: `ffffffffffffffff\r\nabc\r\n`,
    incomplete: true,
  },
  {
    headers: ["Transfer-Encoding: chunked"],
    body: `5;ext="x\r\nabcde\r\n0\r\n\r\n`,
    incomplete: false,
  },
  {
    headers: ["Transfer-Encoding: chunked"],
    body: `5\r\nabcdefgh\r\n0\r\n\r\n`,
    incomplete: false,
  },
  {
    headers: ["Transfer-Encoding: chunked"],
    body: `0\r\nX-Trailer: ${"a".repeat(100)}\r\n\r\n`,
    incomplete: false,
  },
  { headers: ["Transfer-Encoding: chunked"], body: `5\nabcde\n0\n\n`, incomplete: false },
  {
    headers: ["Transfer-Encoding: chunked", `Content-Length: ${FORM.length}`],
    body: FORM,
    incomplete: false,
  },
  {
    headers: ["Transfer-Encoding: gzip, chunked"],
    body: `${chunk(FORM)}0\r\n\r\n`,
    incomplete: false,
  },
  { headers: ["Transfer-Encoding: chunked, identity"], body: FORM, incomplete: false },
  { headers: ["Transfer-Encoding: xchunked"], body: FORM, incomplete: false },
  { headers: ["Transfer-Encoding:\tchunked"], body: `${chunk(FORM)}0\r\n\r\n`, incomplete: false },
  { headers: [], body: FORM, incomplete: false },
);

/** Header lines that break the grammar, or carry what a header must not. */
const junkHeader = fc.constantFrom(
  "X-No-Colon",
  "X-Space : before-colon",
  " X-Leading: space",
  "X-Folded: a\r\n b",
  "X Bad Name: v",
  "X-Nul: a\u0000b",
  "X-Latin1: \u00ff\u00fe",
  "X-Bad-UTF8: \u00c3\u0028",
  "Cookie: omb_subscribe=s%3Aj%3A%7B%7D.x; \u00ff=\u00fe",
  "Cookie: a=b",
  "Cookie: a=b",
  "Content-Type: application/x-www-form-urlencoded; charset=utf-16",
  "Content-Type: application/x-www-form-urlencoded",
  "Content-Encoding: gzip",
  "Expect: 100-continue",
  "Expect: nonsense",
  `X-Long: ${"a".repeat(20_000)}`,
  "Host: ",
  "Host: a\r\nHost: b",
  "Host: [::1",
  "Upgrade: websocket\r\nConnection: Upgrade",
);

/** `normal` four times in five, else one of the broken variants: framing gets its turn. */
function usually<T>(normal: T, broken: readonly T[]): fc.Arbitrary<T> {
  return fc.oneof({ weight: 4, arbitrary: fc.constant(normal) }, fc.constantFrom(...broken));
}

export const rawRequests: fc.Arbitrary<RawRequest> = fc
  .tuple(
    usually("POST", ["GET", "post", "P OST", "POST\u0000"]),
    usually(SIDECAR_PATHS.subscribe, TARGETS),
    usually(" HTTP/1.1", [" HTTP/1.0", " HTTP/9.9", " HTTP/1.1 extra", "", " http/1.1"]),
    framing,
    fc.array(junkHeader, { maxLength: 2 }),
    usually("\r\n", ["\n"]),
    usually(true, [false]),
    usually(true, [false]),
  )
  .map(([method, target, version, f, junk, eol, withHost, endHeaders]) => {
    const lines = [`${method} ${target}${version}`];
    if (withHost) lines.push("Host: site.example");
    lines.push("Connection: close", "Content-Type: application/x-www-form-urlencoded");
    lines.push(...f.headers, ...junk);
    // Without the blank line, the head itself is unfinished.
    const head = lines.join(eol) + (endHeaders ? eol + eol : eol);
    return {
      raw: Buffer.from(head + (endHeaders ? f.body : ""), "latin1"),
      // Node closes an Upgrade request without answering when nobody takes the upgrade.
      incomplete: f.incomplete || !endHeaders || junk.some((h) => h.startsWith("Upgrade:")),
      servable: method === "GET" && SERVED_BY_GET.includes(target),
    };
  });
