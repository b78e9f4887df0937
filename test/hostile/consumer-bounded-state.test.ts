// A visitor's service cannot make the subscribe flow store, echo or cookie huge values.
import assert from "node:assert/strict";
import { readdir, stat } from "node:fs/promises";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { type SidecarProcess, startSidecarProcess } from "../reference-listener/sidecar-process.js";
import { answer, type Peer, serveOmb, startPeer, xrdsOf } from "./peer.js";
import { stepOf, submitForm } from "./visitor.js";

let sidecar: SidecarProcess;
let peer: Peer;

before(async () => {
  [sidecar, peer] = await Promise.all([
    startSidecarProcess({ config: { allowPrivateNetworks: true } }),
    startPeer(),
  ]);
  serveOmb(peer);
  // The first attempt creates the cookie key; the cases then measure only themselves.
  assert.equal((await submitForm(sidecar.url, peer.url("/alice"))).status, 303);
});
after(async () => {
  await Promise.all([sidecar?.stop(), peer?.close()]);
});

/** The bytes of the sidecar's store files (base state and journal). */
async function storeBytes(): Promise<number> {
  const dir = path.dirname(sidecar.dataFile);
  let total = 0;
  for (const name of await readdir(dir)) {
    if (name.startsWith(path.basename(sidecar.dataFile)))
      total += (await stat(path.join(dir, name))).size;
  }
  return total;
}

/** A profile at /p/<name> whose XRDS is `xrds`. */
function profile(name: string, xrds: string): string {
  peer.route(`/p/${name}`, (_req, res) =>
    res
      .writeHead(200, { "content-type": "text/html", "x-xrds-location": peer.url(`/x/${name}`) })
      .end("<html><head></head><body>profile</body></html>"),
  );
  peer.route(`/x/${name}`, answer(xrds, "application/xrds+xml"));
  return peer.url(`/p/${name}`);
}

describe("remote values the subscribe flow keeps are capped", () => {
  it("a 60 KB authorize URL is refused before anything is stored or echoed", async () => {
    // The largest an XRDS (64 KB at most) can hold; the flow keeps at most 255 bytes.
    const authorize = peer.url(`/authorize?pad=${"a".repeat(60_000)}`);
    const url = profile("long-authorize", xrdsOf(peer, { authorize }));
    const before = await storeBytes();
    const a = await submitForm(sidecar.url, url);
    assert.equal(a.status, 502, a.body.slice(0, 500));
    assert.equal(stepOf(a), "oversized address");
    assert.equal(a.location, undefined, "no Location echoed");
    assert.equal(a.cookie, undefined, "no flow started");
    assert.ok(a.body.length < 20_000, `page of ${a.body.length} characters`);
    assert.equal((await storeBytes()) - before, 0);
  });

  it("a 60 KB request token is refused: no flow stored, no cookie", async () => {
    peer.route(
      "/rt/long",
      answer(`oauth_token=${"t".repeat(60_000)}&oauth_token_secret=s`, "text/plain"),
    );
    const url = profile("long-token", xrdsOf(peer, { request: peer.url("/rt/long") }));
    const before = await storeBytes();
    const a = await submitForm(sidecar.url, url);
    assert.equal(a.status, 502, a.body.slice(0, 500));
    assert.equal(stepOf(a), "request token refused");
    assert.match(a.body, /longer than 255 bytes/);
    assert.equal(a.cookie, undefined);
    assert.equal((await storeBytes()) - before, 0);
  });

  it("a well-behaved service still gets the visitor sent to its authorize page", async () => {
    const a = await submitForm(sidecar.url, peer.url("/alice"));
    assert.equal(a.status, 303, a.body.slice(0, 500));
    assert.ok(a.location?.startsWith(peer.url("/userauthorization")));
    assert.ok(a.cookie);
  });
});
