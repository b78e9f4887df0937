// The authorize page's "who is asking" rests on the request's address and the author's own pages.
import assert from "node:assert/strict";
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, describe, test } from "node:test";
import { writeXrds } from "../protocol/omb/xrds-write.js";
import { openAuthorizePage } from "./helpers/remote-listenee-flow.js";
import { browser, remote, setUpFlowTarget, target } from "./provider-flow-setup.js";

setUpFlowTarget();

const services: Server[] = [];
after(() => {
  for (const s of services) s.close();
});

/**
 * An author's own OMB service on `host`: the profile page points to an XRDS whose LocalID is
 * the author's identifier and whose endpoints are on the same host.
 */
async function authorService(host: string): Promise<{ root: string; uri: string; page: string }> {
  let root = "";
  const server = createServer((req, res) => {
    if (req.url === "/alice") {
      res.writeHead(200, { "content-type": "text/html", "x-xrds-location": `${root}xrds` });
      res.end("<html><head><title>alice</title></head></html>");
    } else if (req.url === "/xrds") {
      res.writeHead(200, { "content-type": "application/xrds+xml" });
      res.end(
        writeXrds({
          localId: `${root}user/1`,
          request: `${root}requesttoken`,
          authorize: `${root}authorize`,
          access: `${root}access`,
          postNotice: `${root}postnotice`,
          updateProfile: `${root}updateprofile`,
        }),
      );
    } else res.writeHead(404).end();
  });
  server.listen(0, host);
  await once(server, "listening");
  services.push(server);
  root = `http://${host}:${(server.address() as AddressInfo).port}/`;
  return { root, uri: `${root}user/1`, page: `${root}alice` };
}

describe("authorize page: who is asking", () => {
  test("a service on the author's own host, whose page leads back to it, is confirmed", async () => {
    const author = await authorService("127.0.0.1");
    const r = await remote("alice");
    Object.assign(r.profile, { uri: author.uri, profile: author.page, nickname: "alice" });
    await r.discover(target.url);
    assert.equal((await r.getRequestToken()).status, 200);
    const page = await openAuthorizePage(browser, r.authorizeUrl());
    assert.match(page.body, /came from 127\.0\.0\.1, an address of 127\.0\.0\.1/);
    assert.match(page.body, /profile page names this identifier, and its service 127\.0\.0\.1/);
    assert.doesNotMatch(page.body, /Careful/);
    assert.match(page.body, /What OpenMicroBlogging cannot prove/);
  });

  test("a consumer key and callback naming the author's host do not hide a foreign address", async () => {
    // The author really lives on 127.0.0.2; the impostor asks from 127.0.0.1 and writes the
    // author's host into everything it chooses: consumer key, callback.
    const author = await authorService("127.0.0.2");
    const r = await remote("impostor");
    Object.assign(r.profile, { uri: author.uri, profile: author.page, nickname: "alice" });
    await r.discover(target.url);
    const rt = await r.getRequestToken({ consumerKey: author.root });
    assert.equal(rt.status, 200, rt.body);
    const url = r.authorizeUrl({ oauth_callback: `${author.root}finish` });
    const page = await openAuthorizePage(browser, url);
    assert.match(
      page.body,
      /Careful: it could not be confirmed that this request comes from 127\.0\.0\.2/,
    );
    assert.match(page.body, /came from 127\.0\.0\.1, but 127\.0\.0\.2 .* has 127\.0\.0\.2/);
    assert.match(page.body, /its service 127\.0\.0\.2 has 127\.0\.0\.2, not 127\.0\.0\.1/);
  });

  test("a profile page without OMB discovery is named as not checked, and warns", async () => {
    const r = await remote("plain");
    await r.discover(target.url);
    assert.equal((await r.getRequestToken()).status, 200);
    const page = await openAuthorizePage(browser, r.authorizeUrl());
    assert.match(page.body, /came from 127\.0\.0\.1, an address of 127\.0\.0\.1/);
    assert.match(page.body, /profile page could not be checked/);
    assert.match(page.body, /Careful/);
  });
});
