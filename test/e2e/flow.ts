/**
 * The flow of a multi-step browser test: steps that stop at the first failure (saving a
 * screenshot and adding the page and the sidecars' logs to the error), and bounded polls.
 */
import assert from "node:assert/strict";
import type { RunningSidecar } from "../../scripts/demo-sites.js";
import type { TestBrowser } from "./browser.js";

/**
 * Calls `check` until it returns a value (not undefined): at most `timeoutMs`, one try every
 * `intervalMs`, so at most `timeoutMs / intervalMs + 1` tries. The error names what was
 * awaited and, when `check` said why it is not there yet (`last.reason`), the last reason.
 */
export async function poll<T>(
  what: string,
  opts: { timeoutMs: number; intervalMs?: number },
  check: (last: { reason: string }) => Promise<T | undefined>,
): Promise<T> {
  const interval = opts.intervalMs ?? 200;
  const tries = Math.ceil(opts.timeoutMs / interval) + 1;
  const deadline = Date.now() + opts.timeoutMs;
  const last = { reason: "" };
  for (let n = 1; ; n++) {
    const value = await check(last);
    if (value !== undefined) return value;
    if (n >= tries || Date.now() > deadline) {
      throw new Error(
        `timed out waiting for ${what} (${n} tries, ${opts.timeoutMs} ms)${last.reason ? `; last seen: ${last.reason}` : ""}`,
      );
    }
    await new Promise((r) => setTimeout(r, interval));
  }
}

export interface Steps {
  /** Runs one step, or fails at once when an earlier one failed (later steps depend on it). */
  run(name: string, body: (t: TestBrowser) => Promise<void>): Promise<void>;
  /** The first step that failed, if any. */
  failed(): string | null;
}

/** Steps on the browser `browser()` gives, whose failures carry the named sidecars' logs. */
export function steps(
  browser: () => TestBrowser | null,
  sidecars: () => [name: string, sidecar: RunningSidecar][],
): Steps {
  let failedStep: string | null = null;
  return {
    failed: () => failedStep,
    async run(name, body) {
      const t = browser();
      assert.ok(t, "the browser did not start");
      if (failedStep) assert.fail(`not run: the step "${failedStep}" failed`);
      try {
        await body(t);
      } catch (err) {
        failedStep = name;
        const shot = await t
          .shot(`FAILED-${name.replace(/\W+/g, "-")}`)
          .catch(() => "(no screenshot)");
        const logs = sidecars().map(
          ([who, s]) => `--- sidecar ${who} log (tail):\n${s.log().slice(-2500)}`,
        );
        (err as Error).message +=
          `\n[step: ${name}; page ${t.page.url()}; screenshot ${shot}]\n${logs.join("\n")}`;
        throw err;
      }
    },
  };
}
