/**
 * Building blocks of fuzzed HTTP requests: parameter values, query strings, cookies, headers
 * and bodies — malformed, oversized, duplicated, wrongly encoded or missing. Nothing here
 * can name a reachable host: every URL points at an address the SSRF guard refuses.
 */
import fc from "fast-check";
import { isValidUri } from "../../../protocol/omb/validate.js";
import { isForbiddenAddress, parseHostLiteral } from "../../../sidecar/net/address-policy.js";
import { hostileText } from "../property.js";

/** Hosts the guard refuses, in every spelling a URL parser accepts. */
const FORBIDDEN_HOSTS = [
  "127.0.0.1",
  "127.0.0.2",
  "10.0.0.1",
  "172.16.0.1",
  "192.168.1.1",
  "169.254.169.254",
  "100.64.0.1",
  "0.0.0.0",
  "224.0.0.1",
  "255.255.255.255",
  "192.0.2.1",
  "198.18.0.1",
  "240.0.0.1",
  "localhost",
  "LOCALHOST",
  "[::1]",
  "[::]",
  "[::ffff:127.0.0.1]",
  "[::ffff:a00:1]",
  "[64:ff9b::a9fe:a9fe]",
  "[2002:7f00:1::]",
  "[2001:0:4136:e378:8000:63bf:80ff:fffe]",
  "[fe80::1]",
  "[fc00::1]",
  "2130706433",
  "0x7f000001",
  "0177.0.0.1",
  "0x7f.1",
  "127.1",
  "0",
];
const octet = fc.integer({ min: 0, max: 255 });
const forbiddenV4 = fc.oneof(
  fc.tuple(octet, octet, octet).map(([a, b, c]) => `10.${a}.${b}.${c}`),
  fc.tuple(octet, octet, octet).map(([a, b, c]) => `127.${a}.${b}.${c}`),
  fc.tuple(fc.integer({ min: 16, max: 31 }), octet, octet).map(([a, b, c]) => `172.${a}.${b}.${c}`),
  fc.tuple(octet, octet).map(([a, b]) => `192.168.${a}.${b}`),
  fc.tuple(octet, octet).map(([a, b]) => `169.254.${a}.${b}`),
  fc
    .tuple(fc.integer({ min: 64, max: 127 }), octet, octet)
    .map(([a, b, c]) => `100.${a}.${b}.${c}`),
);
export const forbiddenHost = fc.oneof(fc.constantFrom(...FORBIDDEN_HOSTS), forbiddenV4);

/** True if the SSRF guard lets a request to this URL host leave the machine. */
function reachableHost(hostname: string): boolean {
  // localhost comes from /etc/hosts; "localhost." may go to DNS, so it counts as reachable
  if (hostname.toLowerCase() === "localhost") return false;
  const h = hostname.toLowerCase();
  const literal = parseHostLiteral(h);
  return literal === null || isForbiddenAddress(literal) === null;
}

/**
 * Could the sidecar fetch `value` from a reachable host if it were a profile URL? Checked on
 * every value that ends up in a generated request, so the fuzz run never leaves loopback.
 */
export function mayReachNetwork(value: string): boolean {
  const v = value.trim();
  if (!isValidUri(v)) return false;
  try {
    return reachableHost(new URL(v).hostname);
  } catch {
    return false;
  }
}

const pathish = fc.oneof(
  fc.stringMatching(/^(\/[a-zA-Z0-9._~%-]{0,12}){0,4}$/),
  fc.constantFrom("", "/", "/alice", "/%", "/%zz", "/a?b=c", "/#frag", "/..", "/\u00e9"),
);
/** A URL aimed at a refused address, with any scheme spelling, port, path, query, fragment. */
export const forbiddenUrl = fc
  .tuple(
    fc.constantFrom("http", "https", "HTTP", "hTTps", "ftp", "javascript", "file"),
    fc.constantFrom("", "user@", "user:pw@", "@"),
    forbiddenHost,
    fc.constantFrom("", ":80", ":1", ":65535", ":99999", ":", ":0x50"),
    pathish,
    fc.constantFrom("", "?", "?a=b", "?u=http://x.invalid/", "#x"),
    fc.constantFrom("", " ", "\t", "\n"),
  )
  .map(
    ([scheme, user, host, port, path, tail, space]) =>
      `${space}${scheme}://${user}${host}${port}${path}${tail}${space}`,
  );

/** A plain http(s) URL at a refused address: passes the form's URL check, then the guard's turn. */
export const plainForbiddenUrl = fc
  .tuple(
    fc.constantFrom("http", "https"),
    fc.oneof(
      forbiddenV4,
      fc.constantFrom("localhost", "127.0.0.1", "0.0.0.0", "0177.0.0.1", "10.0.0.1"),
    ),
    fc.constantFrom("", ":80", ":8080", ":1"),
    fc.stringMatching(/^(\/[a-zA-Z0-9._~-]{0,10}){0,3}$/),
  )
  .map(([scheme, host, port, path]) => `${scheme}://${host}${port}${path}`);

/** Any value a parameter might carry; never a fetchable URL. */
export const paramValue = fc
  .oneof(
    { weight: 4, arbitrary: plainForbiddenUrl },
    { weight: 3, arbitrary: forbiddenUrl },
    { weight: 3, arbitrary: hostileText(60) },
    fc.constantFrom("", " ", "%", "%zz", "%C3", "%C3%28", "+", "&", "=", "\u0000", "a".repeat(300)),
    fc.constant("x".repeat(5000)),
  )
  .filter((v) => !mayReachNetwork(v));

/** Percent-encodes (or not) a name or value in one of the ways clients get it wrong. */
const encoder = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.constant((s: string) => encodeURIComponent(safeUnicode(s))),
  },
  {
    weight: 3,
    arbitrary: fc.constant((s: string) =>
      new URLSearchParams({ s: safeUnicode(s) }).toString().slice(2),
    ),
  },
  fc.constantFrom<(s: string) => string>(
    (s) => s, // raw: spaces, &, = and all
    (s) => Buffer.from(safeUnicode(s), "utf8").toString("latin1"), // raw UTF-8 bytes
    (s) => s.replace(/[^A-Za-z0-9]/g, (c) => `%${c.charCodeAt(0).toString(16)}`), // UTF-16 units
  ),
);

/** Lone surrogates replaced: encodeURIComponent cannot take them (the raw encoder still can). */
function safeUnicode(s: string): string {
  return s.replace(/\p{Cs}/gu, "\uFFFD");
}

/** `name=value` pairs, some repeated, some without `=`, joined by `&` (or `;`, or `&&`). */
export function formText(names: readonly string[]): fc.Arbitrary<string> {
  const name = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...names) },
    fc.constantFrom(
      "",
      "__proto__",
      "constructor",
      "a[]",
      "a[b]",
      "profile_url[x]",
      "%",
      "=",
      "a b",
    ),
    hostileText(10),
  );
  const pair = fc
    .tuple(name, paramValue, encoder, encoder, fc.integer({ min: 0, max: 9 }))
    .map(([k, v, ek, ev, shape]) =>
      shape === 0 ? ek(k) : shape === 1 ? `${ek(k)}=` : `${ek(k)}=${ev(v)}`,
    );
  return fc
    .tuple(fc.array(pair, { maxLength: 25 }), fc.constantFrom("&", "&", "&", ";", "&&", "&amp;"))
    .map(([pairs, sep]) => pairs.join(sep));
}

/** Each name once, values properly encoded: the request a real form would send. */
export function cleanForm(names: readonly string[]): fc.Arbitrary<string> {
  const pair = (n: string) =>
    fc.option(paramValue, { nil: undefined, freq: 5 }).map((v) => [n, v] as const);
  return fc.tuple(...names.map(pair)).map((pairs) =>
    pairs
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k}=${encodeURIComponent(safeUnicode(v ?? ""))}`)
      .join("&"),
  );
}

/** A path's query part: absent, empty, clean, mangled, or too big for the header limit. */
export function queryString(names: readonly string[]): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 1, arbitrary: fc.constant("") },
    { weight: 1, arbitrary: fc.constant("?") },
    { weight: 4, arbitrary: cleanForm(names).map((q) => `?${q}`) },
    { weight: 6, arbitrary: formText(names).map((q) => `?${q}`) },
    { weight: 1, arbitrary: fc.constant(`?profile_url=${"a".repeat(20_000)}`) },
  );
}

/** Cookie header values; `signed` makes validly signed flow cookies with random contents. */
export function cookieHeader(signed: (value: string) => string): fc.Arbitrary<string> {
  const flowValue = fc.oneof(
    fc.record({ t: hostileText(20), n: hostileText(20) }).map((o) => `j:${JSON.stringify(o)}`),
    fc.constantFrom("j:{", "j:null", 'j:{"t":1,"n":[]}', "j:[]", 'j:{"__proto__":{"t":"x"}}'),
    hostileText(40),
  );
  const flowCookie = fc.oneof(
    flowValue.map((v) => `omb_subscribe=${encodeURIComponent(signed(safeUnicode(v)))}`),
    flowValue.map((v) => `omb_subscribe=${encodeURIComponent(`s:${safeUnicode(v)}.forged`)}`),
    flowValue.map((v) => `omb_subscribe=${safeUnicode(v).replace(/[;\r\n]/g, "")}`),
  );
  const other = fc
    .tuple(fc.stringMatching(/^[a-z_]{1,8}$/), hostileText(20))
    .map(([k, v]) => `${k}=${v}`);
  return fc
    .array(
      fc.oneof(flowCookie, other, fc.constantFrom("%", "=", ";;", "a=%zz", "omb_subscribe=")),
      {
        maxLength: 5,
      },
    )
    .map((parts) => parts.join("; "));
}

export const CONTENT_TYPES = [
  "application/x-www-form-urlencoded",
  "application/x-www-form-urlencoded; charset=utf-8",
  "application/x-www-form-urlencoded; charset=iso-8859-1",
  "application/x-www-form-urlencoded; charset=utf-16",
  "application/x-www-form-urlencoded; charset=x-nonsense",
  "APPLICATION/X-WWW-FORM-URLENCODED",
  "application/x-www-form-urlencoded;;;",
  "text/plain",
  "application/json",
  "multipart/form-data; boundary=x",
  "application/xrds+xml",
  "*/*",
  "garbage",
  "",
];

/** Request bodies: forms, random bytes (often invalid UTF-8), JSON, multipart, too large. */
export function bodyFor(names: readonly string[]): fc.Arbitrary<Buffer> {
  return fc
    .oneof(
      { weight: 10, arbitrary: cleanForm(names).map((s) => Buffer.from(s)) },
      { weight: 6, arbitrary: formText(names).map((s) => Buffer.from(s, "latin1")) },
      { weight: 2, arbitrary: formText(names).map((s) => Buffer.from(safeUnicode(s), "utf8")) },
      { weight: 1, arbitrary: fc.uint8Array({ maxLength: 600 }).map((b) => Buffer.from(b)) },
      {
        weight: 1,
        arbitrary: fc
          .jsonValue({ maxDepth: 2 })
          .map((j) => Buffer.from(JSON.stringify(j) ?? "null")),
      },
      {
        weight: 1,
        arbitrary: fc.constantFrom(
          Buffer.from(
            '--x\r\nContent-Disposition: form-data; name="profile_url"\r\n\r\nhttp://127.0.0.1/\r\n--x--\r\n',
          ),
          Buffer.from(`profile_url=http://10.0.0.1/${"a".repeat(6000)}`),
          Buffer.from(Array.from({ length: 40 }, (_, i) => `p${i}=1`).join("&")),
          Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0xde, 0xad]),
          Buffer.alloc(0),
        ),
      },
    )
    .filter((b) => !bodyMayReachNetwork(b));
}

/** Every value in a body, however the server might decode it, checked with mayReachNetwork. */
function bodyMayReachNetwork(body: Buffer): boolean {
  for (const text of [body.toString("utf8"), body.toString("latin1")]) {
    for (const piece of text.split(/[&;\r\n]/)) {
      const value = piece.slice(piece.indexOf("=") + 1);
      let decoded = value;
      try {
        decoded = decodeURIComponent(value.replaceAll("+", " "));
      } catch {
        // keep it raw
      }
      if (mayReachNetwork(value) || mayReachNetwork(decoded)) return true;
    }
  }
  return false;
}

/** Extra headers: content encodings, forwarding headers, accept, junk names and values. */
export const extraHeaders = fc
  .array(
    fc.oneof(
      fc.constantFrom<[string, string]>(
        ["content-encoding", "gzip"],
        ["content-encoding", "deflate"],
        ["content-encoding", "br"],
        ["content-encoding", "x-garbage"],
        ["content-encoding", "identity"],
        ["x-forwarded-for", "10.0.0.1, 127.0.0.1"],
        ["x-forwarded-proto", "https"],
        ["accept", "application/json"],
        ["accept-charset", "utf-16"],
        ["referer", "http://127.0.0.1/"],
        ["origin", "null"],
        ["if-none-match", "*"],
        ["range", "bytes=0-0,5-1"],
      ),
      fc
        .tuple(fc.stringMatching(/^[a-z][a-z0-9-]{0,15}$/), hostileText(30))
        .map(([k, v]): [string, string] => [k, v.replace(/[^\t\x20-\x7e\x80-\xff]/g, "")]),
    ),
    { maxLength: 4 },
  )
  .map((pairs) => pairs.flat());
