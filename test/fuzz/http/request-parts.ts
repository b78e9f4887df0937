/** Fuzzed request parts: cookie headers, content types, bodies that reach no host, headers. */
import fc from "fast-check";
import { hostileText } from "../property.js";
import { cleanForm, formText, safeUnicode } from "./form-text.js";
import { mayReachNetwork } from "./param-values.js";

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
