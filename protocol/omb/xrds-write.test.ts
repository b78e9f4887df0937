/** writeXrds: the capture's shape, entry XRD layout, URL round-trips, refusals. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Element } from "@xmldom/xmldom";
import fc from "fast-check";
import { TYPE, XML_NS } from "./constants.js";
import type { XrdsEndpoints } from "./xrds.js";
import {
  CAPTURE,
  CAPTURE_ENDPOINTS,
  elements,
  parse,
  servicesOf,
  text,
} from "./xrds.test-helper.js";
import { readXrds } from "./xrds-read.js";
import { writeXrds } from "./xrds-write.js";

const xrdsOf = (xml: string) => elements(parse(xml).documentElement as Element, "XRD");

/** A whitespace-free outline: one line per element with its attributes and leaf text. */
function shape(xml: string): string[] {
  const lines: string[] = [];
  const walk = (el: Element, depth: number) => {
    const attrs = [...el.attributes].map((a) => `${a.name}=${a.value}`).sort();
    const kids = [...el.children];
    lines.push(
      `${depth} ${el.namespaceURI} ${el.localName} [${attrs}] ${kids.length ? "" : text(el)}`,
    );
    for (const kid of kids) walk(kid, depth + 1);
  };
  walk(parse(xml).documentElement as Element, 0);
  return lines;
}

describe("writeXrds", () => {
  it("writes the capture's XRDS, element for element", () => {
    const written = writeXrds(CAPTURE_ENDPOINTS);
    assert.deepEqual(shape(written), shape(CAPTURE));
    assert.ok(written.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<XRDS'));
    assert.ok(written.split("\n").length > 40, "pretty-printed, one element per line");
  });

  it("puts the entry XRD last, LocalID in the request service, and no priority", () => {
    const written = writeXrds(CAPTURE_ENDPOINTS);
    const xrds = xrdsOf(written);
    assert.deepEqual(
      xrds.map((x) => x.getAttributeNS(XML_NS, "id") ?? ""),
      ["oauth", "omb", ""],
    );
    const entry = xrds.at(-1) as Element;
    assert.deepEqual(elements(entry, "URI").map(text), ["#oauth", "#omb"]);
    const root = parse(written).documentElement as Element;
    const localIds = elements(root, "LocalID");
    assert.equal(localIds.length, 1);
    const [localId] = localIds;
    assert.ok(localId);
    assert.equal(text(localId), CAPTURE_ENDPOINTS.localId);
    assert.ok(servicesOf(root, TYPE.request).includes(localId.parentNode as Element));
    assert.ok(!written.includes("priority"));
  });

  it("round-trips query strings with & and lowercases scheme and host only", () => {
    const e: XrdsEndpoints = {
      localId: "HTTPS://Social.Example.COM/User/1",
      request: "http://Social.Example.COM:8080/index.php?action=requesttoken&x=A%20B",
      authorize: "http://social.example.com/index.php?action=userauthorization&a=<b>&c=\"'",
      access: "http://social.example.com/index.php?action=accesstoken",
      postNotice: "https://[::1]:8443/postnotice?q=1&r=2",
      updateProfile: "http://user@MiXeD.example/updateprofile#Frag",
    };
    const written = writeXrds(e);
    assert.ok(written.includes("action=requesttoken&amp;x=A%20B"));
    assert.deepEqual(readXrds(written, "https://social.example.com/xrds"), {
      localId: "https://social.example.com/User/1",
      request: "http://social.example.com:8080/index.php?action=requesttoken&x=A%20B",
      authorize: e.authorize,
      access: e.access,
      postNotice: e.postNotice,
      updateProfile: "http://user@mixed.example/updateprofile#Frag",
    });
  });

  it("refuses URLs it cannot advertise", () => {
    for (const bad of ["/relative", "ftp://example.com/x", "http://", "http://a.example/x y"]) {
      assert.throws(() => writeXrds({ ...CAPTURE_ENDPOINTS, access: bad }), /XRDS: access/);
    }
  });

  it("round-trips random http(s) endpoint URLs", () => {
    const label = fc.stringMatching(/^[a-zA-Z0-9]([a-zA-Z0-9-]{0,8}[a-zA-Z0-9])?$/);
    const url = fc
      .record({
        scheme: fc.constantFrom("http", "https", "HTTP", "Https"),
        host: fc.array(label, { minLength: 1, maxLength: 4 }),
        port: fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }),
        path: fc.array(fc.stringMatching(/^[A-Za-z0-9._~%!$'()*+,;=:@-]{0,12}$/), { maxLength: 4 }),
        query: fc.option(fc.stringMatching(/^[A-Za-z0-9=&<>"'%;/?:@._~-]{0,30}$/), {
          nil: undefined,
        }),
      })
      .map(({ scheme, host, port, path, query }) => {
        const tail = `/${path.join("/")}${query === undefined ? "" : `?${query}`}`;
        const authority = `${host.join(".")}${port === undefined ? "" : `:${port}`}`;
        return {
          given: `${scheme}://${authority}${tail}`,
          expected: `${scheme.toLowerCase()}://${authority.toLowerCase()}${tail}`,
        };
      });
    type Pair = { given: string; expected: string };
    const side = (r: Record<keyof XrdsEndpoints, Pair>, k: keyof Pair): XrdsEndpoints => ({
      localId: r.localId[k],
      request: r.request[k],
      authorize: r.authorize[k],
      access: r.access[k],
      postNotice: r.postNotice[k],
      updateProfile: r.updateProfile[k],
    });
    const endpoints = fc.record({
      localId: url,
      request: url,
      authorize: url,
      access: url,
      postNotice: url,
      updateProfile: url,
    });
    fc.assert(
      fc.property(endpoints, (pairs) => {
        const written = writeXrds(side(pairs, "given"));
        assert.deepEqual(readXrds(written, "http://doc.example/xrds"), side(pairs, "expected"));
      }),
      { numRuns: 200 },
    );
  });
});
