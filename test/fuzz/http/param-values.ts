/** Fuzzed parameter values that never name a reachable host, and the SSRF check that says so. */
import fc from "fast-check";
import { isValidUri } from "../../../protocol/omb/validate.js";
import { looksLikeHandle, parseHandle } from "../../../sidecar/activitypub/remote-follow.js";
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
  // A fediverse handle in the subscribe form sends a WebFinger request to its host.
  if (looksLikeHandle(v)) {
    try {
      return reachableHost(parseHandle(v).host.replace(/:\d+$/, ""));
    } catch {
      return false;
    }
  }
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
