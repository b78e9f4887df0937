import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { test } from "node:test";
import { DEFAULT_LICENSE, OMB_SUCCESS_BODY } from "../../../protocol/omb/constants.js";
import { parseForm } from "../../../protocol/omb/oauth.js";
import { fakeSubscriber } from "../../../test/helpers/fixtures.js";
import { createLogger } from "../../log.js";
import { HttpClient } from "../../net/client.js";
import { Store } from "../../store/store.js";
import type { OutboundEntry } from "../../store/types.js";
import { PreparedEntries } from "./entry-params.js";
import { pushEntry } from "./push.js";

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
  const store = await Store.open(":memory:");
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
        await store.saveSubscriber({ ...sub, token: "new", secret: "new-secret" });
        res.writeHead(403).end("Revoked accesstoken");
      } else res.writeHead(200, { "content-type": "text/plain" }).end(OMB_SUCCESS_BODY);
    });
  });
  server.listen(0, "127.0.0.1");
  await new Promise((r) => server.once("listening", r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/postnotice`;
  const sub = { ...fakeSubscriber(1), postNoticeUrl: url, token: "old", secret: "old-secret" };
  try {
    await store.saveSubscriber(sub);
    const result = await pushEntry(
      {
        store,
        http,
        log: createLogger("silent"),
        prepared: new PreparedEntries("http://site.example/"),
      },
      url,
      entry,
    );
    assert.deepEqual(result, { kind: "delivered", subscriber: sub.uri });
    assert.deepEqual(tokens, ["old", "new"]);
    assert.equal(store.subscriber(sub.uri)?.token, "new", "the new subscription is kept");
    assert.equal(store.failures().length, 0);
  } finally {
    server.close();
    await http.close();
    await store.close();
  }
});

test("a Laconica-style postNotice URL (index.php?action=postnotice) is signed with its query, as the receiver merges it", async () => {
  const { parseParams, signatureValid } = await import("../../../test/reference-listener/oauth.js");
  const store = await Store.open(":memory:");
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
    await store.saveSubscriber({
      ...fakeSubscriber(2),
      postNoticeUrl: url,
      token: "tok",
      secret: "sec",
    });
    const result = await pushEntry(
      {
        store,
        http,
        log: createLogger("silent"),
        prepared: new PreparedEntries("http://site.example/"),
      },
      url,
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
