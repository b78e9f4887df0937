import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { isValidUri } from "../../protocol/omb/validate.js";
import { stepOf, submitForm } from "../hostile/visitor.js";
import { type SidecarProcess, startSidecarProcess } from "../reference-listener/sidecar-process.js";
import { LITERAL_TARGETS, startTraps, type Traps } from "./ssrf-targets.js";

/**
 * SSRF through the subscribe form of a real sidecar process, configured as in production
 * (allowPrivateNetworks false): every private, loopback, link-local, CGNAT, mapped or
 * tunnelled address, in every host spelling, is refused — by the form's URL check or by the
 * guard at connect time — and loopback traps on the addresses they denote see no connection.
 * Redirects, XRDS locations and token endpoints aimed at them: ssrf-redirects.test.ts.
 */

let sidecar: SidecarProcess;
let traps: Traps;

before(async () => {
  [sidecar, traps] = await Promise.all([
    startSidecarProcess({ config: { allowPrivateNetworks: false } }),
    startTraps(),
  ]);
});
after(async () => {
  await Promise.all([sidecar?.stop(), traps?.close()]);
});

describe("SSRF: a private address typed into the subscribe form", () => {
  for (const target of LITERAL_TARGETS) {
    it(`${target.what}: ${target.host}`, async (t) => {
      const url = traps.url(target, "/alice");
      const a = await submitForm(sidecar.url, url);
      // The form only takes PEAR-valid URLs (no IPv6, no hex or decimal hosts); the rest
      // reach the guard, which refuses at connect time.
      const expected = isValidUri(url) ? "address refused" : "not a URL";
      assert.equal(a.status, 400, a.body);
      assert.equal(stepOf(a), expected, a.body);
      t.diagnostic(`${url} → 400 "${expected}"`);
    });
  }

  it("nothing was reached: the loopback traps saw no connection", () => {
    assert.equal(traps.connections(), 0);
  });
});
