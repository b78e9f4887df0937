import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import { Writable } from "node:stream";
import { describe, it } from "node:test";
import { pino } from "pino";
import { censorDeep, createLogger, REDACT_PATHS, SECRET_KEYS } from "../../sidecar/log.js";

/**
 * pino's redaction paths reach one level down; a secret nested deeper used to be printed.
 * The logger now censors SECRET_KEYS at any depth (sidecar/log.ts censorDeep): checked
 * here at depths 1–6, in arrays, in child-logger bindings, and for its cost.
 */

function sink(): { stream: Writable; output: () => string } {
  let out = "";
  const stream = new Writable({
    write(chunk, _enc, done) {
      out += String(chunk);
      done();
    },
  });
  return { stream, output: () => out };
}

const secret = (name: string) => `${name}-${randomBytes(8).toString("hex")}`;

/** `{ a: { a: … { [key]: value } } }`, `depth` levels down. */
function nest(depth: number, key: string, value: string): Record<string, unknown> {
  let o: Record<string, unknown> = { [key]: value, keep: "visible" };
  for (let i = 0; i < depth; i++) o = { [`level${i}`]: o };
  return o;
}

describe("secrets nested at any depth stay out of the log", () => {
  it("every secret key at depths 1 to 6, in arrays and in child bindings, is redacted", () => {
    const { stream, output } = sink();
    const log = createLogger("trace", stream);
    const planted: string[] = [];
    for (const key of SECRET_KEYS) {
      for (let depth = 1; depth <= 6; depth++) {
        const value = secret("s");
        planted.push(value);
        log.info(nest(depth, key, value), `depth ${depth}`);
      }
      const inArray = secret("arr");
      planted.push(inArray);
      log.info({ list: [{ x: 1 }, { deeper: [{ [key]: inArray }] }] }, "array");
    }
    const bound = secret("child");
    planted.push(bound);
    log.child({ flow: { pending: { requestSecret: bound } } }).info({ ok: 1 }, "child");
    // the shape that leaked before: an error's request options three levels down
    const authz = secret("authz");
    planted.push(authz);
    log.warn({ failure: { request: { headers: { authorization: authz } } } }, "failed");
    log.flush();
    const printed = output();
    for (const v of planted) assert.ok(!printed.includes(v), `${v} printed`);
    assert.equal(printed.match(/"keep":"visible"/g)?.length, SECRET_KEYS.size * 6);
    assert.match(printed, /\[redacted\]/);
  });

  it("pino's paths alone miss depth 3 (why censorDeep exists)", () => {
    const { stream, output } = sink();
    const plain = pino({ redact: { paths: REDACT_PATHS, censor: "[redacted]" } }, stream);
    const value = secret("deep");
    plain.info(nest(2, "token", value));
    plain.flush();
    assert.ok(output().includes(value), "the bare paths would have printed it");
  });

  it("objects without secrets are not copied; cycles and class instances are safe", () => {
    const clean = { a: { b: [1, { c: "d" }] }, when: new Date(0) };
    assert.equal(censorDeep(clean), clean);
    const cyclic: Record<string, unknown> = { name: "x" };
    cyclic.self = cyclic;
    const { stream, output } = sink();
    const log = createLogger("trace", stream);
    log.info({ cyclic, err: new Error("boom") }, "odd shapes");
    log.flush();
    assert.match(output(), /odd shapes/);
    assert.match(output(), /boom/);
  });

  it("costs little: the walk is a few µs, a log line within 2× of pino with the paths alone", (t) => {
    const LINES = 20_000;
    const line = {
      destination: "http://listener.example/index.php/omb/postnotice",
      seq: 1234,
      attempts: 3,
      retryInMs: 61_000,
      error: "HTTP 500: <h1>500</h1>",
      profile: { nickname: "bob", fullname: "Bob", license: "http://cc.org/by/3.0/" },
    };
    const time = (log: pino.Logger) => {
      const started = performance.now();
      for (let i = 0; i < LINES; i++) log.info(line, "delivery failed; will retry");
      return ((performance.now() - started) * 1000) / LINES;
    };
    const discard = () =>
      new Writable({
        write(_c, _e, done) {
          done();
        },
      });
    const ours = createLogger("info", discard());
    const bare = pino(
      { base: { name: "x" }, redact: { paths: REDACT_PATHS, censor: "[redacted]" } },
      discard(),
    );
    time(ours);
    time(bare); // warm both
    const samples = [0, 1, 2, 3, 4].map(() => [time(ours), time(bare)] as const);
    const oursUs = Math.min(...samples.map(([o]) => o));
    const bareUs = Math.min(...samples.map(([, b]) => b));
    const started = performance.now();
    for (let i = 0; i < LINES; i++) censorDeep(line);
    const walkUs = ((performance.now() - started) * 1000) / LINES;
    t.diagnostic(
      `per line: ${oursUs.toFixed(2)} µs with censorDeep, ${bareUs.toFixed(2)} µs with the paths alone; the walk itself ${walkUs.toFixed(2)} µs`,
    );
    assert.ok(walkUs < 5, `the walk takes ${walkUs} µs per line`);
    assert.ok(oursUs <= bareUs * 2 + 2, `${oursUs} µs vs ${bareUs} µs`);
  });
});
