/**
 * Headless Chromium for the browser tests: Debian's `chromium` (no browser download; .ci/run
 * installs it) driven by playwright-core. A missing browser fails the test with what to do,
 * never skips it.
 */
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { type BrowserContext, chromium, type Page } from "playwright-core";

export const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";

/** Without the background-networking flags Chromium waits on the closed network and hangs. */
const FLAGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export class ChromiumMissingError extends Error {
  override name = "ChromiumMissingError";
}

export interface TestBrowser {
  page: Page;
  context: BrowserContext;
  /** Where screenshots go (kept after the test; printed on failure). */
  shotsDir: string;
  /** Saves a screenshot of the page as `<n>-<name>.png` and returns its path. */
  shot(name: string): Promise<string>;
  /** JavaScript dialogs (alert, confirm) that opened: remote text must never run as script. */
  dialogs: string[];
  close(): Promise<void>;
}

/** Fails at once, saying what to install, when there is no Chromium to drive. */
export function assertChromium(): void {
  if (!existsSync(CHROMIUM)) {
    throw new ChromiumMissingError(
      `Chromium is not at ${CHROMIUM}: the browser tests need it. Install Debian's package (sudo apt-get install chromium; .ci/run does it) or set CHROMIUM_PATH to a Chromium binary.`,
    );
  }
}

export async function launchBrowser(
  opts: { shotsDir?: string; timeoutMs?: number } = {},
): Promise<TestBrowser> {
  assertChromium();
  const userDataDir = await mkdtemp(path.join(tmpdir(), "e2e-chromium-"));
  const shotsDir = opts.shotsDir ?? (await mkdtemp(path.join(tmpdir(), "e2e-shots-")));
  await mkdir(shotsDir, { recursive: true });
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    timeout: opts.timeoutMs ?? 30_000,
    viewport: { width: 1000, height: 900 },
  });
  context.setDefaultTimeout(15_000);
  context.setDefaultNavigationTimeout(20_000);
  const page = context.pages()[0] ?? (await context.newPage());
  const dialogs: string[] = [];
  page.on("dialog", (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  let n = 0;
  return {
    page,
    context,
    shotsDir,
    dialogs,
    shot: async (name) => {
      n++;
      const file = path.join(shotsDir, `${String(n).padStart(2, "0")}-${name}.png`);
      await page.screenshot({ path: file, fullPage: true, timeout: 10_000 });
      return file;
    },
    close: async () => {
      await context.close().catch(() => {});
      await rm(userDataDir, { recursive: true, force: true });
    },
  };
}
