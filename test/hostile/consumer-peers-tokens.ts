// Hostile consumer peers, OAuth: request- and access-token endpoints that hang, reset or lie.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  assertFailure,
  HEADERS_TIMEOUT_MS,
  HUGE_BYTES,
  MARGIN_MS,
  QUICK_MS,
  serviceWithToken,
  sidecar,
  TOTAL_TIMEOUT_MS,
} from "./consumer-peers-setup.js";
import { aByteASecond, answer, hang, huge, reset } from "./peer.js";
import { approve, submitForm } from "./visitor.js";

/** The token endpoint cases, run concurrently inside the caller's describe. */
export function hostileTokenCases(): void {
  describe("hostile token endpoints", { concurrency: true }, () => {
    it("a request-token endpoint that never answers", async (t) => {
      const a = await submitForm(sidecar.url, serviceWithToken("rt-hang", "request", hang));
      assertFailure(t, a, 502, "request token refused", HEADERS_TIMEOUT_MS + MARGIN_MS);
      assert.equal(a.cookie, undefined, "no flow started");
    });

    it("a request-token endpoint that resets the connection", async (t) => {
      const a = await submitForm(sidecar.url, serviceWithToken("rt-reset", "request", reset));
      assertFailure(t, a, 502, "request token refused", QUICK_MS);
    });

    it("a request-token endpoint answering 200 with an HTML page", async (t) => {
      const url = serviceWithToken(
        "rt-html",
        "request",
        answer("<html><body>Welcome!</body></html>"),
      );
      assertFailure(t, await submitForm(sidecar.url, url), 502, "request token refused", QUICK_MS);
    });

    it("a request-token endpoint answering 200 with a huge body", async (t) => {
      const url = serviceWithToken("rt-huge", "request", huge(HUGE_BYTES, { announce: false }));
      assertFailure(t, await submitForm(sidecar.url, url), 502, "request token refused", QUICK_MS);
    });

    for (const [name, route, within] of [
      ["never answers", hang, HEADERS_TIMEOUT_MS + MARGIN_MS],
      ["resets the connection", reset, QUICK_MS],
      [
        "answers a byte a second",
        aByteASecond("oauth_token=x&oauth_token_secret=y".padEnd(60)),
        TOTAL_TIMEOUT_MS + MARGIN_MS,
      ],
    ] as const) {
      it(`an access-token endpoint that ${name}: nobody subscribed`, async (t) => {
        const service = `at-${name.split(" ")[0]}`;
        const profile = serviceWithToken(service, "access", route);
        const started = await submitForm(sidecar.url, profile);
        assert.equal(started.status, 303, started.body);
        const a = await approve(sidecar.url, started, `rt-${service}`, {
          profile,
          nickname: "alice",
        });
        assertFailure(t, a, 502, "access token refused", within);
      });
    }
  });
}
