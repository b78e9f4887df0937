import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { it } from "node:test";
import { parseConfig } from "../config.js";
import { createLogger } from "../log.js";
import { HttpClient } from "../net/client.js";
import type { StoredReply } from "./records.js";
import { notifyReplyWaiting, type ReplyWaitingMessage } from "./reply-notifier.js";

const reply: StoredReply = {
  id: "https://social.example/notes/1",
  url: "https://social.example/@u/1",
  inReplyTo: "https://sidecar.example/ap/posts/abc",
  postUri: "https://site.example/posts/one/",
  author: { id: "https://social.example/users/u", name: "U", url: "https://social.example/@u" },
  content: "<p>hello</p>",
  published: "2026-01-01T00:00:00Z",
  receivedAt: "2026-01-01T00:00:01Z",
  state: "pending",
};

it("posts the waiting reply to the webhook and hands it to the command on stdin", async () => {
  const dir = await mkdtemp(path.join(tmpdir(), "notifier-"));
  const got: { type?: string; body: string }[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => {
      body += c;
    });
    req.on("end", () => {
      got.push({
        ...(req.headers["content-type"] ? { type: req.headers["content-type"] } : {}),
        body,
      });
      res.end("ok");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const out = path.join(dir, "stdin.json");
  try {
    const config = parseConfig(
      {
        siteUrl: "https://site.example/",
        publicUrl: "https://sidecar.example/",
        dataFile: ":memory:",
        interactions: {
          notifyWebhook: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
          notifyCommand: [
            process.execPath,
            "-e",
            `require("fs").writeFileSync(${JSON.stringify(out)}, require("fs").readFileSync(0))`,
          ],
        },
      },
      "test",
      dir,
      {},
    );
    const siteHttp = new HttpClient({ allowPrivateNetworks: true });
    await notifyReplyWaiting({ config, siteHttp, log: createLogger("silent") }, reply);
    assert.equal(got.length, 1);
    assert.equal(got[0]?.type, "application/json");
    const sent = JSON.parse(got[0]?.body ?? "") as ReplyWaitingMessage;
    assert.equal(sent.reply.id, reply.id);
    assert.equal(sent.statusPage, "https://sidecar.example/admin#replies");
    assert.deepEqual(
      JSON.parse(await readFile(out, "utf8")),
      sent,
      "the command got the same message",
    );
    await siteHttp.close();
  } finally {
    server.close();
    await rm(dir, { recursive: true, force: true });
  }
});
