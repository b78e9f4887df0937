import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { test } from "node:test";
import { DEFAULT_LICENSE, OMB_SUCCESS_BODY } from "../../../protocol/omb/constants.js";
import { parseForm } from "../../../protocol/omb/oauth.js";
import { fakeSubscriber, ombDestination, ombFollower } from "../../../test/helpers/fixtures.js";
import { createLogger } from "../../log.js";
import { HttpClient } from "../../net/client.js";
import { openStore } from "../../store/open.js";
import type { Destination, OutboundEntry } from "../../store/types.js";
import { PreparedEntries } from "./entry-params.js";
import { pushEntry } from "./push.js";

/** A fresh OMB destination record at a postNotice URL. */
const destinationAt = (url: string): Destination => ({
  key: ombDestination(url),
  protocol: "omb",
  url,
  cursor: 0,
  attempts: 0,
});

const entry: OutboundEntry & { kind: "notice" } = {
  seq: 1,
  kind: "notice",
  addedAt: new Date().toISOString(),
  notice: {
    uri: "http://site.example/posts/1/",
    url: "http://site.example/posts/1/",
    content: "hello",
    published: new Date().toISOString(),
    license: DEFAULT_LICENSE,
  },
};

test("a 403 for a token replaced meanwhile (the listener subscribed again) retries with the new token", async () => {
  const store = await openStore(":memory:");
  const http = new HttpClient({ allowPrivateNetworks: true });
  const tokens: string[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (d: Buffer) => {
      body += d.toString();
    });
    req.on("end", async () => {
      const token = parseForm(body).oauth_token ?? "";
      tokens.push(token);
      if (token === "old") {
        // the listener subscribes again while our push with the old token is in flight
        await store.saveFollower(ombFollower({ ...flat, token: "new", secret: "new-secret" }));
        res.writeHead(403).end("Revoked accesstoken");
      } else res.writeHead(200, { "content-type": "text/plain" }).end(OMB_SUCCESS_BODY);
    });
  });
  server.listen(0, "127.0.0.1");
  await new Promise((r) => server.once("listening", r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/postnotice`;
  const base = fakeSubscriber(1);
  const flat = { ...base.credentials, uri: base.id, profile: base.profile };
  const sub = ombFollower({ ...flat, postNoticeUrl: url, token: "old", secret: "old-secret" });
  Object.assign(flat, { postNoticeUrl: url });
  try {
    await store.saveFollower(sub);
    const result = await pushEntry(
      {
        store,
        http,
        log: createLogger("silent"),
        prepared: new PreparedEntries("http://site.example/"),
      },
      destinationAt(url),
      entry,
    );
    assert.deepEqual(result, { kind: "delivered", subscriber: sub.id });
    assert.deepEqual(tokens, ["old", "new"]);
    const kept = await store.follower(sub.id);
    assert.equal(
      kept?.protocol === "omb" && kept.credentials.token,
      "new",
      "the new subscription is kept",
    );
    assert.equal((await store.failures()).length, 0);
  } finally {
    server.close();
    await http.close();
    await store.close();
  }
});

test("a Laconica-style postNotice URL (index.php?action=postnotice) is signed with its query, as the receiver merges it", async () => {
  const { parseParams, signatureValid } = await import("../../../test/reference-listener/oauth.js");
  const store = await openStore(":memory:");
  const http = new HttpClient({ allowPrivateNetworks: true });
  const seen: { valid: boolean; action?: string; notice?: string }[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (d: Buffer) => {
      body += d.toString();
    });
    req.on("end", () => {
      const url = new URL(req.url ?? "/", `http://${req.headers.host}`);
      // Laconica merged the query into the parameters it verified (OMB.md §6.1)
      const params = { ...parseParams(url.search.slice(1)), ...parseParams(body) };
      seen.push({
        valid: signatureValid("POST", url.href, params, "sec"),
        action: params.action,
        notice: params.omb_notice,
      });
      res.writeHead(200).end(OMB_SUCCESS_BODY);
    });
  });
  server.listen(0, "127.0.0.1");
  await new Promise((r) => server.once("listening", r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/index.php?action=postnotice`;
  try {
    const two = fakeSubscriber(2);
    await store.saveFollower(
      ombFollower({
        ...two.credentials,
        uri: two.id,
        profile: two.profile,
        postNoticeUrl: url,
        token: "tok",
        secret: "sec",
      }),
    );
    const result = await pushEntry(
      {
        store,
        http,
        log: createLogger("silent"),
        prepared: new PreparedEntries("http://site.example/"),
      },
      destinationAt(url),
      entry,
    );
    assert.equal(result.kind, "delivered");
    assert.deepEqual(seen, [{ valid: true, action: "postnotice", notice: entry.notice.uri }]);
  } finally {
    server.close();
    await http.close();
    await store.close();
  }
});
