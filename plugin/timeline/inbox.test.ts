import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import {
  HOOK_SIGNATURE_HEADER,
  HOOK_TIMESTAMP_HEADER,
  verifyHook,
} from "../../contract/hook-signature.js";
import {
  INBOX_JSON_PATH,
  INBOX_JSON_SIGNED_TEXT,
  type InboxExport,
} from "../../contract/inbox-export.js";
import { InboxReadError, readInbox } from "./inbox.js";

const SAMPLE_INBOX: InboxExport = {
  version: 1,
  generated: "2026-01-01T12:00:00.000Z",
  following: [
    {
      uri: "http://bob.example/user/1",
      profile: {
        uri: "http://bob.example/user/1",
        profile: "http://bob.example/bob",
        nickname: "bob",
        license: "http://creativecommons.org/licenses/by/3.0/",
        fullname: "Bob",
        homepage: "",
        bio: "",
        location: "",
        avatar: "",
      },
      since: "2025-12-01T00:00:00.000Z",
    },
  ],
  inbox: [
    {
      uri: "http://bob.example/notice/1",
      listeneeUri: "http://bob.example/user/1",
      content: "Hello",
      url: "http://bob.example/notice/1",
      license: "http://creativecommons.org/licenses/by/3.0/",
      receivedAt: "2026-01-01T10:00:00.000Z",
    },
  ],
};

const SECRET = "inbox-test-secret";
let dir: string;
let server: Server;
let base: string;
let answer: { status: number; body: string } | null = null;

before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "inbox-test-"));
  // A stand-in for the sidecar's endpoint: checks the signature as the sidecar does.
  server = createServer((req, res) => {
    if (answer) {
      res.writeHead(answer.status).end(answer.body);
      return;
    }
    const check = verifyHook(
      SECRET,
      INBOX_JSON_SIGNED_TEXT,
      req.headers[HOOK_TIMESTAMP_HEADER] as string | undefined,
      req.headers[HOOK_SIGNATURE_HEADER] as string | undefined,
    );
    if (req.url !== INBOX_JSON_PATH || !check.ok) {
      res.writeHead(401).end("inbox refused: signature does not match");
      return;
    }
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(SAMPLE_INBOX));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  await new Promise((resolve) => server.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

function collectWarnings() {
  const warnings: string[] = [];
  return { warnings, warn: (m: string) => warnings.push(m) };
}

async function failure(p: Promise<unknown>): Promise<InboxReadError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof InboxReadError, String(err));
    return err;
  }
  assert.fail("the inbox was read");
}

describe("readInbox from a file", () => {
  it("reads and checks the sidecar's inbox.json", async () => {
    const file = path.join(dir, "inbox.json");
    await writeFile(file, JSON.stringify(SAMPLE_INBOX));
    const { warnings, warn } = collectWarnings();
    assert.deepEqual(await readInbox({ kind: "file", path: file }, { warn }), SAMPLE_INBOX);
    assert.deepEqual(warnings, []);
  });

  it("gives no inbox, and no warning, on a first start (neither the file nor its folder exist)", async () => {
    const file = path.join(dir, "never-created", "inbox.json");
    const { warnings, warn } = collectWarnings();
    assert.equal(await readInbox({ kind: "file", path: file }, { warn }), null);
    assert.deepEqual(warnings, []);
  });

  it("gives no inbox and a warning naming the file when its folder exists but it does not", async () => {
    const file = path.join(dir, "missing-inbox.json");
    const { warnings, warn } = collectWarnings();
    assert.equal(await readInbox({ kind: "file", path: file }, { warn }), null);
    assert.equal(warnings.length, 1);
    assert.ok(warnings[0]?.includes(file), warnings[0]);
    assert.match(warnings[0] ?? "", /"inbox\.file"/);
  });

  it("refuses a file that is not JSON or not an inbox export, naming the option", async () => {
    const file = path.join(dir, "bad.json");
    await writeFile(file, "{ not json");
    const { warn } = collectWarnings();
    let err = await failure(readInbox({ kind: "file", path: file }, { warn }));
    assert.equal(err.option, "inbox.file");
    assert.match(err.message, /option "inbox\.file": .*bad\.json is not JSON/);
    await writeFile(file, JSON.stringify({ ...SAMPLE_INBOX, version: 2 }));
    err = await failure(readInbox({ kind: "file", path: file }, { warn }));
    assert.match(err.message, /not an inbox export of this version: version/);
    await writeFile(file, JSON.stringify({ ...SAMPLE_INBOX, inbox: [{ uri: 1 }] }));
    err = await failure(readInbox({ kind: "file", path: file }, { warn }));
    assert.match(err.message, /inbox\.0\.uri/);
  });

  it("refuses a path it cannot read as a file", async () => {
    const err = await failure(readInbox({ kind: "file", path: dir }, collectWarnings()));
    assert.equal(err.option, "inbox.file");
    assert.match(err.message, /cannot read .*EISDIR/);
  });
});

describe("readInbox from the sidecar's endpoint", () => {
  const source = () => ({
    kind: "url" as const,
    url: base + INBOX_JSON_PATH,
    secretEnv: "INBOX_SECRET",
  });

  it("signs the request with the hook secret from the named variable", async () => {
    answer = null;
    const inbox = await readInbox(source(), {
      ...collectWarnings(),
      env: { INBOX_SECRET: SECRET },
    });
    assert.deepEqual(inbox, SAMPLE_INBOX);
  });

  it("names inbox.secretEnv when the variable is empty", async () => {
    const err = await failure(readInbox(source(), { ...collectWarnings(), env: {} }));
    assert.equal(err.option, "inbox.secretEnv");
    assert.match(err.message, /INBOX_SECRET is empty/);
  });

  it("names inbox.url when the sidecar refuses, with the status and advice", async () => {
    answer = null;
    let err = await failure(
      readInbox(source(), { ...collectWarnings(), env: { INBOX_SECRET: "wrong" } }),
    );
    assert.equal(err.option, "inbox.url");
    assert.match(err.message, /answered HTTP 401: inbox refused.*same hook secret/);
    answer = { status: 503, body: "no secret" };
    err = await failure(
      readInbox(source(), { ...collectWarnings(), env: { INBOX_SECRET: SECRET } }),
    );
    assert.match(err.message, /HTTP 503.*FEDERATION_HOOK_SECRET/);
    answer = { status: 200, body: "<html>" };
    err = await failure(
      readInbox(source(), { ...collectWarnings(), env: { INBOX_SECRET: SECRET } }),
    );
    assert.match(err.message, /option "inbox\.url": .* is not JSON/);
    answer = null;
  });

  it("names inbox.url when the sidecar cannot be reached", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const err = await failure(
      readInbox(
        { kind: "url", url: `http://127.0.0.1:${port}/admin/inbox.json`, secretEnv: "S" },
        { ...collectWarnings(), env: { S: SECRET }, timeoutMs: 5_000 },
      ),
    );
    assert.equal(err.option, "inbox.url");
    assert.match(err.message, /cannot reach .*ECONNREFUSED/);
  });
});
