/**
 * Which IP addresses the sidecar may connect to. Every outbound request goes through this
 * check at connect time (client.ts), so a remote profile cannot make the sidecar reach its
 * own machine, the local network or cloud metadata services (SSRF).
 */
import ipaddr from "ipaddr.js";

type IPv4 = ipaddr.IPv4;
type IPv6 = ipaddr.IPv6;

/** IPv4 range names of ipaddr.js → the reason shown to the operator. */
const IPV4_REASONS: Record<string, string> = {
  unspecified: "unspecified",
  broadcast: "broadcast",
  multicast: "multicast",
  linkLocal: "link-local",
  loopback: "loopback",
  carrierGradeNat: "carrier-grade NAT (RFC 6598)",
  private: "private (RFC 1918)",
  reserved: "reserved",
  as112: "reserved (AS112 DNS sink)",
  amt: "reserved (AMT relay anycast)",
};

/** IPv6 range names that are refused as they are (the tunnel/translation ranges unwrap). */
const IPV6_REASONS: Record<string, string> = {
  unspecified: "unspecified",
  linkLocal: "link-local",
  multicast: "multicast",
  loopback: "loopback",
  uniqueLocal: "unique local (fc00::/7)",
  deprecatedSiteLocal: "site-local (deprecated fec0::/10)",
  discard: "discard-only (100::/64)",
  rfc6145: "IPv4-translated (RFC 6145)",
  benchmarking: "benchmarking",
  amt: "reserved (AMT)",
  as112v6: "reserved (AS112 DNS sink)",
  deprecatedOrchid: "reserved (ORCHID)",
  orchid2: "reserved (ORCHIDv2)",
  droneRemoteIdProtocolEntityTags: "reserved (DRIP)",
  segmentRouting: "reserved (segment routing)",
  reserved: "reserved",
};

const DOCUMENTATION_V4: ReadonlyArray<[IPv4, number]> = [
  ipaddr.IPv4.parseCIDR("192.0.2.0/24"),
  ipaddr.IPv4.parseCIDR("198.51.100.0/24"),
  ipaddr.IPv4.parseCIDR("203.0.113.0/24"),
];
const BENCHMARKING_V4 = ipaddr.IPv4.parseCIDR("198.18.0.0/15");
const DOCUMENTATION_V6: ReadonlyArray<[IPv6, number]> = [
  ipaddr.IPv6.parseCIDR("2001:db8::/32"),
  ipaddr.IPv6.parseCIDR("3fff::/20"),
];
const NAT64_WELL_KNOWN = ipaddr.IPv6.parseCIDR("64:ff9b::/96");
const GLOBAL_UNICAST_V6 = ipaddr.IPv6.parseCIDR("2000::/3");

/**
 * Why `ip` must not be connected to, or null when it is a public unicast address.
 * Anything that does not parse as an IP address is refused (fail closed).
 */
export function isForbiddenAddress(ip: string): string | null {
  const literal = parseHostLiteral(ip);
  if (literal === null) return "not an IP address";
  const addr = ipaddr.parse(literal);
  return addr.kind() === "ipv4" ? forbiddenV4(addr as IPv4) : forbiddenV6(addr as IPv6);
}

function forbiddenV4(addr: IPv4): string | null {
  const range = addr.range();
  if (range === "unicast") return null;
  if (range === "reserved") {
    if (DOCUMENTATION_V4.some((cidr) => addr.match(cidr))) return "documentation";
    if (addr.match(BENCHMARKING_V4)) return "benchmarking";
  }
  return IPV4_REASONS[range] ?? range;
}

function forbiddenV6(addr: IPv6): string | null {
  const range = addr.range();
  // Addresses that carry an IPv4 address reach that IPv4 host, so its class decides.
  const embedded = embeddedIPv4(addr, range);
  if (embedded) {
    const inner = forbiddenV4(embedded.v4);
    return inner === null ? null : `${embedded.via} of ${inner}`;
  }
  if (range === "rfc6052") return "NAT64 (local-use 64:ff9b:1::/48)";
  if (range === "reserved" && DOCUMENTATION_V6.some((cidr) => addr.match(cidr))) {
    return "documentation";
  }
  const reason = IPV6_REASONS[range];
  if (reason) return reason;
  const parts = addr.parts;
  // ::a.b.c.d (deprecated IPv4-compatible form): no legitimate web host uses it.
  if (parts.slice(0, 6).every((p) => p === 0)) return "IPv4-compatible IPv6 (deprecated)";
  if (!addr.match(GLOBAL_UNICAST_V6)) return "reserved (outside 2000::/3)";
  return null;
}

/** The IPv4 address an IPv4-mapped, NAT64, 6to4 or Teredo address leads to. */
function embeddedIPv4(addr: IPv6, range: string): { via: string; v4: IPv4 } | null {
  const p = addr.parts;
  const v4 = (hi: number, lo: number) =>
    new ipaddr.IPv4([(hi >> 8) & 0xff, hi & 0xff, (lo >> 8) & 0xff, lo & 0xff]);
  switch (range) {
    case "ipv4Mapped":
      return { via: "IPv4-mapped IPv6", v4: addr.toIPv4Address() };
    case "rfc6052":
      return addr.match(NAT64_WELL_KNOWN) ? { via: "NAT64", v4: v4(p[6] ?? 0, p[7] ?? 0) } : null;
    case "6to4":
      return { via: "6to4", v4: v4(p[1] ?? 0, p[2] ?? 0) };
    case "teredo": {
      // 2001:0:SSSS:SSSS:flags:port:CCCC:CCCC — server in clear, client address inverted;
      // refuse if either side is forbidden, and report the first that is.
      const server = v4(p[2] ?? 0, p[3] ?? 0);
      const client = v4(~(p[6] ?? 0) & 0xffff, ~(p[7] ?? 0) & 0xffff);
      if (forbiddenV4(server) !== null) return { via: "Teredo (server)", v4: server };
      return { via: "Teredo (client)", v4: client };
    }
    default:
      return null;
  }
}

/**
 * The canonical IP address a URL host denotes, or null when it is a name to resolve.
 * IPv4 follows the WHATWG URL host parser (itself inet_aton's rules): 1–4 dot-separated
 * parts, each decimal, octal (leading 0) or hex (0x), the last filling the remaining bytes,
 * so `2130706433`, `0177.0.0.1`, `0x7f.1` and `127.1` are all 127.0.0.1. `new URL()`
 * already normalises these in `hostname`; this covers hosts that did not come through it.
 * IPv6 may be bracketed; a zone id (`%eth0`) is dropped.
 */
export function parseHostLiteral(host: string): string | null {
  let h = host.trim();
  if (h.startsWith("[") && h.endsWith("]")) h = h.slice(1, -1);
  if (h.includes(":")) {
    const bare = h.split("%")[0] ?? "";
    return ipaddr.IPv6.isValid(bare) ? ipaddr.IPv6.parse(bare).toString() : null;
  }
  return parseIPv4Like(h);
}

function parseIPv4Like(host: string): string | null {
  const parts = host.split(".");
  if (parts.length > 1 && parts[parts.length - 1] === "") parts.pop();
  if (parts.length === 0 || parts.length > 4) return null;
  const numbers: number[] = [];
  for (const part of parts) {
    const n = parseIPv4Number(part);
    if (n === null) return null;
    numbers.push(n);
  }
  const last = numbers.pop() ?? 0;
  if (numbers.some((n) => n > 255)) return null;
  if (last >= 256 ** (4 - numbers.length)) return null;
  let value = last;
  numbers.forEach((n, i) => {
    value += n * 256 ** (3 - i);
  });
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join(".");
}

function parseIPv4Number(part: string): number | null {
  if (part === "") return null;
  let digits = part;
  let radix = 10;
  if (/^0x/i.test(part)) {
    digits = part.slice(2);
    radix = 16;
  } else if (part.length > 1 && part.startsWith("0")) {
    digits = part.slice(1);
    radix = 8;
  }
  if (digits === "") return 0; // "0x" alone is 0, as in the URL standard
  const valid = { 8: /^[0-7]+$/, 10: /^[0-9]+$/, 16: /^[0-9a-f]+$/i }[radix];
  if (!valid?.test(digits)) return null;
  const n = Number.parseInt(digits, radix);
  return Number.isSafeInteger(n) ? n : null;
}
