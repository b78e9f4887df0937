import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { it } from "node:test";
import { getLogger, withContext } from "@logtape/logtape";
import { createLogger } from "../log.js";
import { bridgeFedifyLogs } from "./fedify-log.js";

it("sends Fedify's warnings and errors to pino, remote-input errors as warnings, no meta noise", () => {
  const lines: { level: number; msg: string; fedify: string }[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      for (const l of String(chunk).split("\n").filter(Boolean)) lines.push(JSON.parse(l));
      done();
    },
  });
  const log = createLogger("trace", { write: (s: string) => stream.write(s) } as never);
  bridgeFedifyLogs(log);
  getLogger(["fedify", "federation"]).info("not shown {n}", { n: 1 });
  getLogger(["fedify", "federation", "outbox"]).error("Failed to send {activityId}", {
    activityId: "https://a.example/1",
  });
  getLogger(["fedify", "federation", "inbox"]).error("Failed to verify {keyId}.", {
    keyId: new URL("https://b.example/k"),
  });
  getLogger(["fedify", "sig", "http"]).warn("odd {n}", { n: { a: 1 } });
  // Fedify handles each request inside withContext: no LogTape meta warning per request.
  withContext({ requestId: "r1" }, () => getLogger(["fedify", "webfinger"]).debug("quiet"));
  // An inbox POST Fedify could not read is the sender's mistake: a warning, not an error.
  getLogger(["fedify", "federation", "http"]).error(
    "An error occurred while serving request POST https://s.example/ap/inbox: bad context",
  );
  // A remote key document that is no key (the inbox fuzz found it logged as an error).
  getLogger(["fedify", "vocab"]).error("Failed to parse {url}: not a key", {
    url: "https://c.example/k",
  });
  assert.deepEqual(
    lines.map((l) => [l.level, l.fedify, l.msg]),
    [
      [50, "fedify.federation.outbox", "Failed to send https://a.example/1"],
      [40, "fedify.federation.inbox", "Failed to verify https://b.example/k."],
      [40, "fedify.sig.http", 'odd {"a":1}'],
      [
        40,
        "fedify.federation.http",
        "An error occurred while serving request POST https://s.example/ap/inbox: bad context",
      ],
      [40, "fedify.vocab", "Failed to parse https://c.example/k: not a key"],
    ],
  );
});
