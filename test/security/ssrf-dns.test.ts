import assert from "node:assert/strict";
import type dns from "node:dns";
import { after, before, describe, it } from "node:test";
import { isForbiddenAddress } from "../../sidecar/net/address-policy.js";
import { FetchError, HttpClient, type LookupFunction } from "../../sidecar/net/client.js";
import { answer, type Peer, startPeer } from "../hostile/peer.js";
import { stepOf, submitForm } from "../hostile/visitor.js";
import type { SidecarProcess } from "../reference-listener/sidecar-process.js";
import { STAND_IN_PUBLIC, startStandInSidecar } from "./stand-in.js";

/**
 * DNS answers that change (rebinding): a name first resolves to a public address, then to a
 * private one. The guard resolves once per connection and connects to the address it vetted,
 * so the private answer is refused when it comes and never reached. A public service at
 * 127.0.0.3:P and a trap at 127.0.0.2:P share the port, as one name's two answers would.
 */

let service: Peer;
let trap: Peer;

before(async () => {
  // the same port on both addresses (retry if another process holds it on 127.0.0.2)
  for (let attempt = 0; ; attempt++) {
    service = await startPeer(STAND_IN_PUBLIC);
    try {
      trap = await startPeer("127.0.0.2", service.port);
      break;
    } catch (err) {
      await service.close();
      if (attempt >= 5) throw err;
    }
  }
  trap.route("/xrds", answer("reached"));
});
after(async () => {
  await Promise.all([service?.close(), trap?.close()]);
});

/** A resolver whose nth answer for any name is answers[n] (the last repeats); counts calls. */
function rebinding(answers: string[]): LookupFunction & { calls: number } {
  const lookup = ((
    _host: string,
    _opts: unknown,
    cb: (e: null, a: dns.LookupAddress[]) => void,
  ) => {
    const address = answers[Math.min(lookup.calls++, answers.length - 1)] as string;
    setImmediate(() => cb(null, [{ address, family: 4 }]));
  }) as LookupFunction & { calls: number };
  lookup.calls = 0;
  return lookup;
}

describe("DNS rebinding, unit level (HttpClient with an injected resolver)", () => {
  it("one lookup per connection, and the connection goes to the address vetted", async () => {
    service.route("/page", answer("public"));
    const lookup = rebinding([STAND_IN_PUBLIC, "127.0.0.2"]);
    const client = new HttpClient({
      allowPrivateNetworks: false,
      isForbidden: (ip) => (ip === STAND_IN_PUBLIC ? null : isForbiddenAddress(ip)),
      lookup,
    });
    try {
      const url = `http://rebind.test:${service.port}/page`;
      const first = await client.get(url);
      assert.equal(first.body, "public");
      assert.equal(lookup.calls, 1, "resolved once, not once to check and once to connect");
      // a second connection resolves again and gets the private answer: refused
      const other = new HttpClient({
        allowPrivateNetworks: false,
        isForbidden: (ip) => (ip === STAND_IN_PUBLIC ? null : isForbiddenAddress(ip)),
        lookup,
      });
      try {
        await assert.rejects(other.get(url), (e: Error) => {
          assert.ok(e instanceof FetchError && e.code === "forbidden-address", String(e));
          return true;
        });
      } finally {
        await other.close();
      }
    } finally {
      await client.close();
    }
    assert.equal(trap.connections(), 0);
  });
});

describe("DNS rebinding through the subscribe form of a stand-in sidecar", () => {
  let sidecar: SidecarProcess;
  before(async () => {
    sidecar = await startStandInSidecar({ "rebind.test": [[STAND_IN_PUBLIC], ["127.0.0.2"]] });
  });
  after(async () => {
    await sidecar?.stop();
  });

  it("profile from the public answer; the XRDS fetch's new lookup is private: refused", async () => {
    // Connection: close forces a new connection, hence a new lookup, for the XRDS fetch
    service.route("/alice", (_req, res) =>
      res
        .writeHead(200, {
          connection: "close",
          "x-xrds-location": `http://rebind.test:${service.port}/xrds`,
        })
        .end("<html></html>"),
    );
    const a = await submitForm(sidecar.url, `http://rebind.test:${service.port}/alice`);
    assert.equal(a.status, 400, a.body);
    assert.equal(stepOf(a), "address refused", a.body);
    assert.equal(service.hits("/alice"), 1);
    assert.equal(trap.connections(), 0, "the private answer was never connected to");
  });
});
