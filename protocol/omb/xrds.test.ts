import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import type { Element } from "@xmldom/xmldom";
import { DOMParser, XMLSerializer } from "@xmldom/xmldom";
import fc from "fast-check";
import { TYPE, XML_NS, XRD_NS } from "./constants.js";
import { type XrdsEndpoints, XrdsError } from "./xrds.js";
import { readXrds } from "./xrds-read.js";
import { writeXrds } from "./xrds-write.js";

const fixture = (name: string) =>
  readFileSync(new URL(`../../test/fixtures/xrds/${name}`, import.meta.url), "utf8");

/** The one XRDS in the captures: alice@127.0.0.1:8001, served by libomb. */
const CAPTURE = fixture("libomb-0.1a-alice.xml");
const CAPTURE_URL = "http://127.0.0.1:8001/alice/xrds";
const CAPTURE_ENDPOINTS: XrdsEndpoints = {
  localId: "http://127.0.0.1:8001/user/1",
  request: "http://127.0.0.1:8001/requesttoken",
  authorize: "http://127.0.0.1:8001/userauthorization",
  access: "http://127.0.0.1:8001/accesstoken",
  postNotice: "http://127.0.0.1:8001/postnotice",
  updateProfile: "http://127.0.0.1:8001/updateprofile",
};

const parse = (xml: string) => new DOMParser().parseFromString(xml, "text/xml");
const elements = (root: Element, name: string) => [...root.getElementsByTagNameNS(XRD_NS, name)];
const text = (el: Element) => el.textContent?.trim() ?? "";
const xrdsOf = (xml: string) => elements(parse(xml).documentElement as Element, "XRD");

/** Parses `xml`, lets `change` edit the DOM, serializes it again. */
function edit(xml: string, change: (root: Element) => void): string {
  const doc = parse(xml);
  change(doc.documentElement as Element);
  return new XMLSerializer().serializeToString(doc);
}

/** The Service elements that carry `type`. */
function servicesOf(root: Element, type: string): Element[] {
  return elements(root, "Service").filter((s) => elements(s, "Type").some((t) => text(t) === type));
}

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

function expectError(fn: () => unknown, code: XrdsError["code"], mentions?: string): XrdsError {
  let caught: unknown;
  assert.throws(fn, (err) => {
    caught = err;
    return err instanceof XrdsError && err.code === code;
  });
  const err = caught as XrdsError;
  assert.match(err.message, /^XRDS: /);
  if (mentions) assert.ok(err.message.includes(mentions), `"${err.message}" names ${mentions}`);
  return err;
}

describe("readXrds accepts what libomb, Laconica and StatusNet served", () => {
  it("reads the XRDS from the libomb captures", () => {
    assert.deepEqual(readXrds(CAPTURE, CAPTURE_URL), CAPTURE_ENDPOINTS);
  });

  it("reads the Laconica 0.5–0.8 document of OMB.md §2 (URI before Type)", () => {
    assert.deepEqual(
      readXrds(fixture("laconica-0.8-omb-md.xml"), "http://example.com/alice/xrds"),
      {
        localId: "http://example.com/user/1",
        request: "http://example.com/index.php?action=requesttoken",
        authorize: "http://example.com/index.php?action=userauthorization",
        access: "http://example.com/index.php?action=accesstoken",
        postNotice: "http://example.com/index.php?action=postnotice",
        updateProfile: "http://example.com/index.php?action=updateprofile",
      },
    );
  });

  it("reads StatusNet 0.9 output: plugin XRD before the entry XRD, which lacks the simple Type", () => {
    const read = readXrds(fixture("statusnet-0.9-plugin-xrd.xml"), "http://status.example.net/x");
    assert.equal(read.request, "http://status.example.net/index.php?action=requesttoken&lang=en");
    assert.equal(read.localId, "http://status.example.net/user/42");
    assert.equal(read.updateProfile, "http://status.example.net/index.php?action=updateprofile");
  });

  it("trims whitespace around Type, URI and LocalID text", () => {
    const spaced = CAPTURE.replace(/>(http[^<]*|#\w+)</g, ">\n\t  $1 \n <");
    assert.notEqual(spaced, CAPTURE);
    assert.deepEqual(readXrds(spaced, CAPTURE_URL), CAPTURE_ENDPOINTS);
  });

  it("accepts a BOM and blank lines before the XML declaration", () => {
    assert.deepEqual(readXrds(`\uFEFF\n  ${CAPTURE}`, CAPTURE_URL), CAPTURE_ENDPOINTS);
  });
});

describe("readXrds picks services by priority", () => {
  interface Extra {
    uri: string;
    priority?: string;
    /** Priority given to the capture's own request-token service. */
    current?: string;
    after?: boolean;
  }
  /** Adds a second request-token service beside the capture's one. */
  const withRequest = ({ uri, priority, current, after }: Extra) =>
    edit(CAPTURE, (root) => {
      const [existing] = servicesOf(root, TYPE.request);
      assert.ok(existing);
      if (current) existing.setAttribute("priority", current);
      const extra = existing.cloneNode(true) as Element;
      extra.removeAttribute("priority");
      if (priority) extra.setAttribute("priority", priority);
      const [uriEl] = elements(extra, "URI");
      assert.ok(uriEl);
      uriEl.textContent = uri;
      existing.parentNode?.insertBefore(extra, after ? existing.nextSibling : existing);
    });

  it("lowest priority number wins, wherever it stands", () => {
    const xml = withRequest({ uri: "http://other/low", priority: "0", current: "10", after: true });
    assert.equal(readXrds(xml, CAPTURE_URL).request, "http://other/low");
  });

  it("a service without priority loses to one with any priority", () => {
    const xml = withRequest({ uri: "http://other/unranked", current: "99" });
    assert.equal(readXrds(xml, CAPTURE_URL).request, CAPTURE_ENDPOINTS.request);
  });

  it("among equal priorities (or none) document order decides", () => {
    assert.equal(
      readXrds(withRequest({ uri: "http://other/first" }), CAPTURE_URL).request,
      "http://other/first",
    );
    const ranked = withRequest({ uri: "http://other/first", priority: "3", current: "3" });
    assert.equal(readXrds(ranked, CAPTURE_URL).request, "http://other/first");
  });

  it("the best URI of the best service wins, and its LocalID is used", () => {
    const xml = edit(CAPTURE, (root) => {
      const [service] = servicesOf(root, TYPE.request);
      const [uri] = service ? elements(service, "URI") : [];
      assert.ok(service && uri);
      uri.setAttribute("priority", "5");
      const better = uri.cloneNode(true) as Element;
      better.setAttribute("priority", "1");
      better.textContent = "http://127.0.0.1:8001/better";
      service.appendChild(better);
    });
    const read = readXrds(xml, CAPTURE_URL);
    assert.equal(read.request, "http://127.0.0.1:8001/better");
    assert.equal(read.localId, CAPTURE_ENDPOINTS.localId);
  });

  it("ignores a matching service that has no URI", () => {
    const xml = withRequest({ uri: "", priority: "0" });
    assert.equal(readXrds(xml, CAPTURE_URL).request, CAPTURE_ENDPOINTS.request);
  });
});

describe("readXrds refuses what a consumer cannot use", () => {
  const required = [
    [TYPE.request, "oauth"],
    [TYPE.authorize, "oauth"],
    [TYPE.access, "oauth"],
    [TYPE.postNotice, "omb"],
    [TYPE.updateProfile, "omb"],
    [TYPE.oauthDiscovery, "entry"],
    [TYPE.omb, "entry"],
  ] as const;
  for (const [type, xrd] of required) {
    it(`missing ${type} (${xrd} XRD) → missing-service`, () => {
      const xml = edit(CAPTURE, (root) => {
        for (const s of servicesOf(root, type)) s.parentNode?.removeChild(s);
      });
      expectError(() => readXrds(xml, CAPTURE_URL), "missing-service", type);
    });
  }

  it("a request-token service with a relative or non-http URI → missing-service", () => {
    const xml = CAPTURE.replace("http://127.0.0.1:8001/requesttoken", "ftp://127.0.0.1/x");
    expectError(() => readXrds(xml, CAPTURE_URL), "missing-service", TYPE.request);
  });

  it("missing or empty LocalID → missing-localid", () => {
    const without = CAPTURE.replace(/<LocalID>[^<]*<\/LocalID>/, "");
    assert.notEqual(without, CAPTURE);
    expectError(() => readXrds(without, CAPTURE_URL), "missing-localid", "LocalID");
    const empty = CAPTURE.replace(/<LocalID>[^<]*<\/LocalID>/, "<LocalID> </LocalID>");
    expectError(() => readXrds(empty, CAPTURE_URL), "missing-localid");
  });

  it("entry XRD not last → no-entry-xrd (only the last XRD is searched)", () => {
    const xml = edit(CAPTURE, (root) => {
      const entry = elements(root, "XRD").at(-1);
      assert.ok(entry);
      root.insertBefore(entry, root.firstChild);
    });
    expectError(() => readXrds(xml, CAPTURE_URL), "no-entry-xrd", "last");
  });

  it("an XRDS without any XRD → no-entry-xrd", () => {
    expectError(() => readXrds('<XRDS xmlns="xri://$xrds"/>', CAPTURE_URL), "no-entry-xrd");
  });

  it("a reference to an xml:id that does not exist → missing-service", () => {
    const xml = CAPTURE.replace("<URI>#omb</URI>", "<URI>#nowhere</URI>");
    expectError(() => readXrds(xml, CAPTURE_URL), "missing-service", 'xml:id="nowhere"');
  });

  it("refuses any DOCTYPE before parsing (entity expansion)", () => {
    const laughs = `<?xml version="1.0"?>
<!DOCTYPE XRDS [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>
<XRDS xmlns="xri://$xrds"><XRD xmlns="xri://$xrd*($v*2.0)"><Type>&c;</Type></XRD></XRDS>`;
    expectError(() => readXrds(laughs, CAPTURE_URL), "doctype", CAPTURE_URL);
    const lower = CAPTURE.replace("<XRDS", "<!doctype XRDS>\n<XRDS");
    expectError(() => readXrds(lower, CAPTURE_URL), "doctype");
  });

  it("garbage → not-xml, without printing xmldom warnings", (t) => {
    const printed = t.mock.method(console, "error", () => {});
    const warned = t.mock.method(console, "warn", () => {});
    for (const junk of [
      "",
      "not xml at all",
      "<XRDS xmlns='xri://$xrds'><XRD>",
      "<XRDS xmlns='xri://$xrds'>&nbsp;</XRDS>",
      "<a></b>",
      CAPTURE.slice(0, 500),
    ]) {
      expectError(() => readXrds(junk, CAPTURE_URL), "not-xml", CAPTURE_URL);
    }
    assert.equal(printed.mock.callCount() + warned.mock.callCount(), 0);
  });

  it("XML that is not XRDS → not-xrds", () => {
    for (const other of [
      "<html><head><title>alice</title></head><body/></html>",
      "<XRDS><XRD/></XRDS>",
      '<XRDS xmlns="xri://$xrd*($v*2.0)"><XRD/></XRDS>',
      '<rss version="2.0"><channel/></rss>',
    ]) {
      expectError(() => readXrds(other, CAPTURE_URL), "not-xrds", "XRDS");
    }
  });
});

describe("readXrds follows references to other XRDS documents", () => {
  const other: XrdsEndpoints = {
    localId: "https://id.example.org/users/alice",
    request: "https://oauth.example.org/request",
    authorize: "https://oauth.example.org/authorize",
    access: "https://oauth.example.org/access",
    postNotice: "https://omb.example.org/notice",
    updateProfile: "https://omb.example.org/profile",
  };
  const OTHER_URL = "https://oauth.example.org/xrds";
  const pointing = CAPTURE.replace("<URI>#oauth</URI>", `<URI>${OTHER_URL}#oauth</URI>`);

  it("asks for the missing document, then reads it from otherDocuments", () => {
    const err = expectError(() => readXrds(pointing, CAPTURE_URL), "external-reference", OTHER_URL);
    assert.deepEqual(err.missingDocuments, [OTHER_URL]);
    const documents = new Map([[OTHER_URL, writeXrds(other)]]);
    assert.deepEqual(readXrds(pointing, CAPTURE_URL, documents), {
      ...CAPTURE_ENDPOINTS,
      localId: other.localId,
      request: other.request,
      authorize: other.authorize,
      access: other.access,
    });
  });

  it("lists each missing document once", () => {
    const both = pointing.replace("<URI>#omb</URI>", `<URI>${OTHER_URL}#omb</URI>`);
    const err = expectError(() => readXrds(both, CAPTURE_URL), "external-reference");
    assert.deepEqual(err.missingDocuments, [OTHER_URL]);
    const read = readXrds(both, CAPTURE_URL, new Map([[OTHER_URL, writeXrds(other)]]));
    assert.deepEqual(read, other);
  });

  it("a reference to the document itself resolves locally", () => {
    const self = CAPTURE.replace("<URI>#oauth</URI>", `<URI>${CAPTURE_URL}#oauth</URI>`);
    assert.deepEqual(readXrds(self, CAPTURE_URL), CAPTURE_ENDPOINTS);
  });

  it("checks the fetched document like the first one", () => {
    const documents = new Map([[OTHER_URL, "<!DOCTYPE x><x/>"]]);
    expectError(() => readXrds(pointing, CAPTURE_URL, documents), "doctype", OTHER_URL);
  });
});

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
