import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isForbiddenAddress, parseHostLiteral } from "./address-policy.js";

describe("isForbiddenAddress", () => {
  const forbidden: [string, string][] = [
    ["127.0.0.1", "loopback"],
    ["127.255.0.9", "loopback"],
    ["::1", "loopback"],
    ["10.1.2.3", "private (RFC 1918)"],
    ["172.16.0.1", "private (RFC 1918)"],
    ["172.31.255.255", "private (RFC 1918)"],
    ["192.168.1.1", "private (RFC 1918)"],
    ["169.254.169.254", "link-local"],
    ["fe80::1", "link-local"],
    ["fe80::1%eth0", "link-local"],
    ["100.64.0.1", "carrier-grade NAT (RFC 6598)"],
    ["100.127.255.254", "carrier-grade NAT (RFC 6598)"],
    ["0.0.0.0", "unspecified"],
    ["0.1.2.3", "unspecified"],
    ["::", "unspecified"],
    ["224.0.0.1", "multicast"],
    ["239.255.255.250", "multicast"],
    ["ff02::1", "multicast"],
    ["255.255.255.255", "broadcast"],
    ["240.0.0.1", "reserved"],
    ["192.0.2.10", "documentation"],
    ["198.51.100.1", "documentation"],
    ["203.0.113.7", "documentation"],
    ["2001:db8::1", "documentation"],
    ["198.18.0.1", "benchmarking"],
    ["fc00::1", "unique local (fc00::/7)"],
    ["fd12:3456::1", "unique local (fc00::/7)"],
    ["fec0::1", "site-local (deprecated fec0::/10)"],
    ["::ffff:127.0.0.1", "IPv4-mapped IPv6 of loopback"],
    ["::ffff:7f00:1", "IPv4-mapped IPv6 of loopback"],
    ["::ffff:10.0.0.1", "IPv4-mapped IPv6 of private (RFC 1918)"],
    ["::ffff:169.254.169.254", "IPv4-mapped IPv6 of link-local"],
    ["64:ff9b::10.0.0.1", "NAT64 of private (RFC 1918)"],
    ["64:ff9b::7f00:1", "NAT64 of loopback"],
    ["64:ff9b:1::1", "NAT64 (local-use 64:ff9b:1::/48)"],
    ["2002:c0a8:0101::1", "6to4 of private (RFC 1918)"],
    ["2002:7f00:1::", "6to4 of loopback"],
    // Teredo: server 65.54.227.120 in clear, client 192.0.2.45 stored inverted.
    ["2001:0:4136:e378:8000:63bf:3fff:fdd2", "Teredo (client) of documentation"],
    ["2001:0:7f00:1::", "Teredo (server) of loopback"],
    ["::7f00:1", "IPv4-compatible IPv6 (deprecated)"],
    ["4000::1", "reserved (outside 2000::/3)"],
    // Host spellings that denote 127.0.0.1.
    ["2130706433", "loopback"],
    ["0177.0.0.1", "loopback"],
    ["0x7f.0.0.1", "loopback"],
    ["0x7f000001", "loopback"],
    ["127.1", "loopback"],
    ["[::1]", "loopback"],
    // Not an address at all: fail closed.
    ["example.com", "not an IP address"],
    ["", "not an IP address"],
  ];
  for (const [ip, reason] of forbidden) {
    it(`refuses ${ip || "(empty)"} as ${reason}`, () => {
      assert.equal(isForbiddenAddress(ip), reason);
    });
  }

  const allowed = [
    "8.8.8.8",
    "1.1.1.1",
    "93.184.216.34",
    "172.32.0.1",
    "100.128.0.1",
    "2606:4700::1111",
    "2a00:1450:4001:80b::200e",
    "::ffff:8.8.8.8",
    "64:ff9b::8.8.8.8",
    "2002:0808:0808::1",
  ];
  for (const ip of allowed) {
    it(`allows public ${ip}`, () => {
      assert.equal(isForbiddenAddress(ip), null);
    });
  }
});

describe("parseHostLiteral", () => {
  const cases: [string, string | null][] = [
    ["127.0.0.1", "127.0.0.1"],
    ["2130706433", "127.0.0.1"],
    ["0177.0.0.1", "127.0.0.1"],
    ["0x7f.0.0.1", "127.0.0.1"],
    ["0X7F.0.0.1", "127.0.0.1"],
    ["0x7f000001", "127.0.0.1"],
    ["017700000001", "127.0.0.1"],
    ["127.1", "127.0.0.1"],
    ["0x7f.1", "127.0.0.1"],
    ["10.1", "10.0.0.1"],
    ["192.168.257", "192.168.1.1"],
    ["127.0.0.1.", "127.0.0.1"],
    ["127.000.000.001", "127.0.0.1"],
    ["0", "0.0.0.0"],
    ["[::ffff:127.0.0.1]", "::ffff:7f00:1"],
    ["::1", "::1"],
    ["fe80::1%eth0", "fe80::1"],
    // Names (or invalid numbers) are left to the resolver, whose answer is checked in turn.
    ["example.com", null],
    ["1e1", null],
    ["08.0.0.1", null],
    ["1.2.3.4.5", null],
    ["256.0.0.1", null],
    ["0x100000000", null],
    ["4294967296", null],
    ["1..1", null],
    ["127.0.0.1.nip.io", null],
    ["[not-an-ip]", null],
  ];
  for (const [host, expected] of cases) {
    it(`reads ${host} as ${expected ?? "a name"}`, () => {
      assert.equal(parseHostLiteral(host), expected);
    });
  }

  it("agrees with the WHATWG URL parser wherever it accepts an IPv4 host", () => {
    for (const [host, expected] of cases) {
      if (expected === null || host.includes(":")) continue;
      assert.equal(new URL(`http://${host}/`).hostname, expected, host);
    }
  });
});
