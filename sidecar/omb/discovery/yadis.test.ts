import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import type { ServerResponse } from "node:http";
import { after, before, describe, it } from "node:test";
import { YADIS_ACCEPT } from "../../../protocol/omb/constants.js";
import { HttpClient } from "../../net/client.js";
import { type LoopbackServer, startLoopbackServer } from "../../net/loopback.test-helper.js";
import { DiscoveryError, type DiscoveryStep, discoverOmb } from "./yadis.js";

const fixture = (name: string) =>
  readFileSync(new URL(`../../../test/fixtures/yadis/${name}`, import.meta.url), "utf8");
/** The origin the captures were recorded on; rewritten to the test server's. */
const CAPTURED_ORIGIN = "http://127.0.0.1:8001";

const NO_POSTNOTICE =
  /<Service>\s*<Type>http:\/\/openmicroblogging\.org\/protocol\/0\.1\/postNotice<\/Type>[\s\S]*?<\/Service>/;

describe("discoverOmb", () => {
  let server: LoopbackServer;
  let http: HttpClient;
  let origin: string;
  let profileHtml: string;
  let xrds: string;

  before(async () => {
    server = await startLoopbackServer((req, res) =>
      route(req.url ?? "/", req.headers.accept, res),
    );
    origin = server.url("").replace(/\/$/, "");
    profileHtml = fixture("alice-profile.html").replaceAll(CAPTURED_ORIGIN, origin);
    xrds = fixture("alice-xrds.xml").replaceAll(CAPTURED_ORIGIN, origin);
    http = new HttpClient({ allowPrivateNetworks: true, totalTimeoutMs: 5000 });
  });

  after(async () => {
    await http.close();
    await server.close();
  });

  const html = (res: ServerResponse, body: string, headers: Record<string, string> = {}) => {
    res.writeHead(200, { "content-type": "text/html; charset=utf-8", ...headers }).end(body);
  };
  const xml = (res: ServerResponse, body: string) => {
    res.writeHead(200, { "content-type": "application/xrds+xml" }).end(body);
  };
  const page = (head: string) => `<html><head><title>p</title>${head}</head><body>p</body></html>`;
  const pointingTo = (location: string) => (res: ServerResponse) =>
    html(res, page(""), { "X-XRDS-Location": location });

  const routes: Record<string, (res: ServerResponse, accept: string | undefined) => void> = {
    // As captured: header and meta tag both point at the XRDS.
    "/alice": (res) => html(res, profileHtml, { "X-XRDS-Location": `${origin}/alice/xrds` }),
    "/alice/xrds": (res) => xml(res, xrds),
    "/negotiated": (res, accept) => {
      if (!accept?.includes("application/xrds+xml")) return html(res, page(""));
      res.writeHead(200, { "content-type": "Application/XRDS+XML; charset=UTF-8" }).end(xrds);
    },
    "/header-only": (res) => html(res, page(""), { "x-xrds-location": "/alice/xrds" }),
    "/yadis-header": (res) => html(res, page(""), { "X-YADIS-Location": `${origin}/alice/xrds` }),
    "/people/meta-only": (res) =>
      html(res, page("<META content='../alice/xrds' HTTP-EQUIV=x-xrds-location>")),
    "/moved": (res) => {
      res.writeHead(301, { location: "/people/meta-only" }).end();
    },
    "/partial": (res) => {
      res.writeHead(206, { "content-type": "text/html", "x-xrds-location": "/alice/xrds" });
      res.end(page(""));
    },
    "/plain": (res) => html(res, page('<meta http-equiv="refresh" content="5">')),
    "/to-500": pointingTo("/xrds-500"),
    "/xrds-500": (res) => {
      res.writeHead(500).end("oops");
    },
    "/to-broken": pointingTo("/broken.xrds"),
    "/broken.xrds": (res) => xml(res, "<XRDS xmlns='xri://$xrds'><XRD>"),
    "/to-html": pointingTo("/plain"),
    "/to-no-postnotice": pointingTo("/no-postnotice.xrds"),
    "/no-postnotice.xrds": (res) => xml(res, xrds.replace(NO_POSTNOTICE, "")),
    "/to-ftp": pointingTo("ftp://example.org/xrds"),
    "/split": pointingTo("/split/main.xrds"),
    // The entry XRD sends OMB to another document (libomb follows http://other/doc#id).
    "/split/main.xrds": (res) =>
      xml(res, xrds.replace("<URI>#omb</URI>", "<URI>omb-part.xrds#omb</URI>")),
    "/split/omb-part.xrds": (res) => xml(res, xrds),
  };

  function route(path: string, accept: string | undefined, res: ServerResponse): void {
    const handler = routes[path];
    if (handler) handler(res, accept);
    else res.writeHead(404, { "content-type": "text/plain" }).end("no such page");
  }

  const aliceEndpoints = () => ({
    localId: `${origin}/user/1`,
    request: `${origin}/requesttoken`,
    authorize: `${origin}/userauthorization`,
    access: `${origin}/accesstoken`,
    postNotice: `${origin}/postnotice`,
    updateProfile: `${origin}/updateprofile`,
  });

  async function failsAt(input: string, step: DiscoveryStep, pattern: RegExp, client = http) {
    const err = await discoverOmb(client, input).then(
      () => assert.fail(`expected discovery of ${input} to fail at ${step}`),
      (e: unknown) => e,
    );
    assert.ok(err instanceof DiscoveryError, String(err));
    assert.equal(err.step, step, err.message);
    assert.match(err.message, pattern);
    return err;
  }

  it("discovers alice's endpoints from the captured profile page and XRDS", async () => {
    const before = server.requests.length;
    const found = await discoverOmb(http, `${origin}/alice`);
    assert.deepEqual(found, {
      profileUrl: `${origin}/alice`,
      xrdsUrl: `${origin}/alice/xrds`,
      endpoints: aliceEndpoints(),
    });
    const [profileReq, xrdsReq] = server.requests.slice(before);
    assert.equal(profileReq?.headers.accept, YADIS_ACCEPT);
    assert.equal(xrdsReq?.url, "/alice/xrds");
    assert.equal(xrdsReq?.headers.accept, "*/*");
  });

  it("takes the XRDS from a content-negotiated profile response (one request)", async () => {
    const before = server.requests.length;
    const found = await discoverOmb(http, `${origin}/negotiated`);
    assert.equal(found.xrdsUrl, `${origin}/negotiated`);
    assert.deepEqual(found.endpoints, aliceEndpoints());
    assert.equal(server.requests.length - before, 1);
  });

  it("follows the X-XRDS-Location header alone (relative, lower-case name)", async () => {
    const found = await discoverOmb(http, `${origin}/header-only`);
    assert.equal(found.xrdsUrl, `${origin}/alice/xrds`);
    assert.deepEqual(found.endpoints, aliceEndpoints());
  });

  it("accepts the older X-YADIS-Location header", async () => {
    const found = await discoverOmb(http, `${origin}/yadis-header`);
    assert.equal(found.xrdsUrl, `${origin}/alice/xrds`);
  });

  it("follows a relative meta tag when there is no header", async () => {
    const found = await discoverOmb(http, `${origin}/people/meta-only`);
    assert.equal(found.xrdsUrl, `${origin}/alice/xrds`);
    assert.deepEqual(found.endpoints, aliceEndpoints());
  });

  it("follows a redirect, then the meta tag, resolving against the final URL", async () => {
    const found = await discoverOmb(http, `${origin}/moved`);
    assert.equal(found.profileUrl, `${origin}/people/meta-only`);
    assert.equal(found.xrdsUrl, `${origin}/alice/xrds`);
  });

  it("accepts 206 Partial Content as Yadis does", async () => {
    const found = await discoverOmb(http, `${origin}/partial`);
    assert.deepEqual(found.endpoints, aliceEndpoints());
  });

  it("fetches an XRDS document that the entry service points to", async () => {
    const found = await discoverOmb(http, `${origin}/split`);
    assert.equal(found.xrdsUrl, `${origin}/split/main.xrds`);
    assert.deepEqual(found.endpoints, aliceEndpoints());
    assert.ok(server.requests.some((r) => r.url === "/split/omb-part.xrds"));
  });

  it("refuses addresses that are not http(s) pages, before any request", async () => {
    const before = server.requests.length;
    await failsAt("alice", "not-a-url", /not a web address.*https:\/\//);
    await failsAt("ftp://example.org/alice", "not-a-url", /ftp: address/);
    await failsAt("javascript:alert(1)", "not-a-url", /javascript: address/);
    await failsAt(
      `http://alice:secret@127.0.0.1:${server.port}/alice`,
      "not-a-url",
      /user name or password/,
    );
    assert.equal(server.requests.length, before);
  });

  it("reports a missing profile page", async () => {
    const err = await failsAt(`${origin}/nobody`, "fetch-profile", /HTTP 404.*Check the address/);
    assert.equal(err.url, `${origin}/nobody`);
  });

  it("reports a page that names no XRDS", async () => {
    await failsAt(`${origin}/plain`, "no-yadis", /X-XRDS-Location.*OpenMicroBlogging/);
  });

  it("reports an XRDS URL that fails", async () => {
    const err = await failsAt(`${origin}/to-500`, "fetch-xrds", /HTTP 500/);
    assert.equal(err.url, `${origin}/xrds-500`);
    await failsAt(`${origin}/to-ftp`, "fetch-xrds", /not an http: or https: URL/);
  });

  it("reports a broken XRDS document", async () => {
    await failsAt(`${origin}/to-broken`, "bad-xrds", /cannot be read.*administrator/);
    await failsAt(`${origin}/to-html`, "bad-xrds", /cannot be read/);
  });

  it("reports an XRDS without a postNotice service", async () => {
    assert.notEqual(xrds.replace(NO_POSTNOTICE, ""), xrds, "the fixture edit applied");
    await failsAt(`${origin}/to-no-postnotice`, "missing-services", /postNotice.*OMB 0\.1/);
  });

  it("passes the SSRF guard's refusal on to the visitor", async () => {
    const guarded = new HttpClient({ allowPrivateNetworks: false });
    try {
      await failsAt(`${origin}/alice`, "fetch-profile", /loopback/, guarded);
    } finally {
      await guarded.close();
    }
  });
});
