import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { test } from "node:test";
import { callDeployHook, DeployHookError } from "../contract/hook-client.js";
import {
  HOOK_SIGNATURE_HEADER,
  HOOK_TIMESTAMP_HEADER,
  verifyHook,
} from "../contract/hook-signature.js";
import { notifyDeployHook } from "./hook.js";

const SECRET = "s3cret";

/** A stand-in for the sidecar's hook: verifies like it does, answers like it does. */
async function fakeSidecar(): Promise<{ url: string; bodies: string[]; server: Server }> {
  const bodies: string[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const check = verifyHook(
        SECRET,
        body,
        req.headers[HOOK_TIMESTAMP_HEADER] as string | undefined,
        req.headers[HOOK_SIGNATURE_HEADER] as string | undefined,
      );
      if (!check.ok) {
        res.writeHead(401, { "content-type": "text/plain" }).end(`hook refused: ${check.reason}`);
        return;
      }
      bodies.push(body);
      res
        .writeHead(200, { "content-type": "application/json" })
        .end(JSON.stringify({ ok: true, newNotices: 2, profileChanged: [], destinations: 3 }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return { url: `http://127.0.0.1:${port}/hooks/deploy`, bodies, server };
}

test("callDeployHook signs the body so that the sidecar's check passes", async () => {
  const s = await fakeSidecar();
  try {
    const answer = await callDeployHook({ url: s.url, secret: SECRET, body: '{"a":1}' });
    assert.equal(answer.status, 200);
    assert.equal(answer.result.newNotices, 2);
    assert.deepEqual(s.bodies, ['{"a":1}']);
    await assert.rejects(
      callDeployHook({ url: s.url, secret: "wrong" }),
      (e: Error) =>
        e instanceof DeployHookError &&
        e.status === 401 &&
        /answered HTTP 401: hook refused: signature does not match.*same hook secret/.test(
          e.message,
        ),
    );
  } finally {
    s.server.close();
  }
});

test("an unreachable hook is a DeployHookError naming the URL", async () => {
  const s = await fakeSidecar();
  await new Promise<void>((resolve) => s.server.close(() => resolve()));
  await assert.rejects(
    callDeployHook({ url: s.url, secret: SECRET, timeoutMs: 2000 }),
    (e: Error) => e instanceof DeployHookError && e.message.includes(s.url),
  );
});

test("notifyDeployHook reads the secret from the named variable and never throws", async () => {
  const s = await fakeSidecar();
  try {
    const warnings: string[] = [];
    const infos: string[] = [];
    const hook = { url: s.url, secretEnv: "MY_HOOK_SECRET" };
    const none = await notifyDeployHook(hook, { env: {}, warn: (m) => warnings.push(m) });
    assert.equal(none, null);
    assert.match(warnings[0] ?? "", /MY_HOOK_SECRET is empty/);
    assert.equal(s.bodies.length, 0);

    const env = { MY_HOOK_SECRET: SECRET };
    const opts = { env, warn: (m: string) => warnings.push(m), info: (m: string) => infos.push(m) };
    assert.ok(await notifyDeployHook(hook, opts));
    assert.ok(await notifyDeployHook(hook, opts));
    assert.equal(s.bodies.length, 2);
    assert.notEqual(s.bodies[0], s.bodies[1], "each call's body is unique (no replay refusal)");
    assert.match(infos[0] ?? "", /2 new notice\(s\).*3 destination/);

    const bad = await notifyDeployHook(hook, { ...opts, env: { MY_HOOK_SECRET: "wrong" } });
    assert.equal(bad, null);
    assert.match(warnings.at(-1) ?? "", /HTTP 401/);
  } finally {
    s.server.close();
  }
});

test("the plugin calls the hook after a real build to disk, and only then", async () => {
  const { default: eleventyFederation } = await import("./index.js");
  const s = await fakeSidecar();
  const warnings: string[] = [];
  const handlers: ((e: unknown) => unknown)[] = [];
  // A stand-in for Eleventy's config: records the eleventy.after handler, ignores the rest.
  const config = new Proxy(
    {
      logger: { warn: (m: string) => warnings.push(m) },
      on: (event: string, fn: (e: unknown) => unknown) => {
        if (event === "eleventy.after") handlers.push(fn);
      },
    },
    { get: (target, key) => (key in target ? target[key as keyof typeof target] : () => {}) },
  );
  process.env.TEST_PLUGIN_HOOK_SECRET = SECRET;
  try {
    eleventyFederation(config as never, {
      siteUrl: "https://site.example/",
      sidecarUrl: "https://site.example/",
      profile: { nickname: "ann" },
      hook: { url: s.url, secretEnv: "TEST_PLUGIN_HOOK_SECRET" },
    });
    const after = handlers[0];
    assert.ok(after);
    await after({ runMode: "serve", outputMode: "fs" });
    await after({ runMode: "build", outputMode: "json" });
    assert.equal(s.bodies.length, 0, "no hook while serving or for JSON output");
    await after({ runMode: "build", outputMode: "fs" });
    assert.equal(s.bodies.length, 1);
    assert.equal(JSON.parse(s.bodies[0] ?? "{}").source, "eleventy");
  } finally {
    delete process.env.TEST_PLUGIN_HOOK_SECRET;
    s.server.close();
  }
});
