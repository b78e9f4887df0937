/** readXrds on good input: what real servers served, service priority, external references. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Element } from "@xmldom/xmldom";
import { TYPE } from "./constants.js";
import type { XrdsEndpoints } from "./xrds.js";
import {
  CAPTURE,
  CAPTURE_ENDPOINTS,
  CAPTURE_URL,
  edit,
  elements,
  expectError,
  fixture,
  servicesOf,
} from "./xrds.test-helper.js";
import { readXrds } from "./xrds-read.js";
import { writeXrds } from "./xrds-write.js";

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
