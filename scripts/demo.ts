/**
 * `npm run demo`: two federating sites on this machine for a newcomer to click through.
 * A (http://localhost:8080/) is an author people follow, B (http://localhost:8081/) a
 * reader; each is the example blog built for its own author and served, with its OMB
 * endpoints, by its own sidecar. Posts added to a site are published (rebuild + sync);
 * notices arriving at a site rebuild its timeline. Ctrl-C stops everything.
 * docs/demo.md says what to click. Ports: DEMO_PORT_A, DEMO_PORT_B; data: DEMO_DIR.
 */
import { randomBytes } from "node:crypto";
import { createWriteStream, existsSync } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { oneTimePassword } from "../sidecar/auth/password.js";
import { type DemoPeer, followFromFediverse } from "./demo-fediverse.js";
import {
  addPost,
  buildSite,
  prepareInstance,
  type RunningSidecar,
  type SiteInstance,
  startSidecar,
  syncSite,
} from "./demo-sites.js";
import { type SiteWatcher, watchSite } from "./demo-watch.js";

/** Outside the project, so its JSON files never reach the linter or git. */
const DIR = path.resolve(process.env.DEMO_DIR || path.join(tmpdir(), "eleventy-federation-demo"));
/** Left in DIR so a later run knows it may wipe the folder (and nothing else). */
const MARKER = ".eleventy-federation-demo";
const say = (line: string) => process.stdout.write(`${line}\n`);
const sidecars: RunningSidecar[] = [];
const watchers: SiteWatcher[] = [];
let peer: DemoPeer | null = null;
let stopping = false;

/** Stops the watchers and both sidecars (never leaves a process behind), then exits. */
async function stop(code: number): Promise<never> {
  if (stopping) process.exit(code);
  stopping = true;
  for (const w of watchers) w.close();
  await peer?.close();
  await Promise.all(sidecars.map((s) => s.stop()));
  process.exit(code);
}

async function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once("error", () => resolve(false));
    s.listen(port, "127.0.0.1", () => s.close(() => resolve(true)));
  });
}

function port(name: string, fallback: number): number {
  const raw = process.env[name];
  const n = raw ? Number(raw) : fallback;
  if (!Number.isInteger(n) || n < 1 || n > 65535)
    throw new Error(`${name} must be a port number, got ${raw}`);
  return n;
}

/** Each run starts afresh: the folder is wiped, but only if an earlier demo made it. */
async function freshDir(): Promise<void> {
  if (existsSync(DIR)) {
    if (!existsSync(path.join(DIR, MARKER))) {
      throw new Error(
        `${DIR} exists and was not made by the demo; not touching it. Remove it or set DEMO_DIR to another folder.`,
      );
    }
    await rm(DIR, { recursive: true, force: true });
  }
  await mkdir(DIR, { recursive: true });
  await writeFile(path.join(DIR, MARKER), "made by npm run demo; wiped on its next run\n");
}

async function main(): Promise<void> {
  const ports = { a: port("DEMO_PORT_A", 8080), b: port("DEMO_PORT_B", 8081) };
  for (const [name, p] of Object.entries(ports)) {
    if (!(await portIsFree(p))) {
      throw new Error(
        `port ${p} is in use (npm start uses 8080). Stop what runs there, or set DEMO_PORT_${name.toUpperCase()}.`,
      );
    }
  }
  await freshDir();
  const { password, hash: passwordHash } = await oneTimePassword();
  say("Preparing two sites (copies of example-site/, each built for its own author)...");
  const [a, b] = await Promise.all([
    prepareInstance({
      root: DIR,
      name: "a",
      port: ports.a,
      author: {
        nickname: "ana",
        fullname: "Ana Writer",
        bio: "Writes the posts people follow.",
        title: "Ana's blog",
      },
      hookSecret: randomBytes(16).toString("hex"),
      ownerPasswordHash: passwordHash,
    }),
    prepareInstance({
      root: DIR,
      name: "b",
      port: ports.b,
      author: {
        nickname: "ben",
        fullname: "Ben Reader",
        bio: "Follows people from his own site.",
        title: "Ben's notes",
      },
      hookSecret: randomBytes(16).toString("hex"),
      ownerPasswordHash: passwordHash,
    }),
  ]);
  const sites = [a, b];
  await Promise.all(sites.map((s) => buildSite(s)));
  const interrupted = () => {
    say("\nStopping both sites...");
    void stop(0);
  };
  process.on("SIGINT", interrupted);
  process.on("SIGTERM", interrupted);
  for (const site of sites) {
    const log = createWriteStream(path.join(site.dataDir, "sidecar.log"));
    const running = await startSidecar(site, { onOutput: (c) => log.write(c) });
    sidecars.push(running);
    void running.exited.then((code) => {
      if (!stopping) {
        say(
          `The sidecar of ${site.name.toUpperCase()} stopped (${code}); see ${path.join(site.dataDir, "sidecar.log")}.`,
        );
        void stop(1);
      }
    });
    // The first sync records the existing posts as published: nobody gets the archive.
    await syncSite(site);
    watchers.push(watchSite(site, say));
  }
  peer = await followFromFediverse(a, say);
  instructions(a, b, password, peer);
  let n = 0;
  createInterface({ input: process.stdin }).on("line", () => {
    n++;
    void addPost(a, {
      slug: `demo-post-${n}`,
      title: `Demo post number ${n}`,
      body: `Published from the demo at ${new Date().toLocaleTimeString("en-GB")}. Hello, followers!`,
    }).then((file) => say(`A: wrote ${file}; rebuilding and publishing...`));
  });
}

function instructions(
  a: SiteInstance,
  b: SiteInstance,
  password: string,
  fediverse: DemoPeer | null,
): void {
  const peerStep = fediverse
    ? `6. On the fediverse: a Fedify server, ${fediverse.handle}, follows A as
   @${a.author.nickname}@${new URL(a.url).host} (A's status page lists it under ActivityPub). Each post
   you publish on A reaches it as a Create; this terminal prints what it received.
`
    : "";
  say(`
Two federating sites are running:
  A  ${a.url}  "${a.author.title}" by ${a.author.fullname}: the author people follow
  B  ${b.url}  "${b.author.title}" by ${b.author.fullname}: the reader
  Owner password of both: ${password}

1. Open ${a.url} (site A). Under "Follow this blog", type site B's address,
   ${b.url}, and press Subscribe.
2. Your browser goes to B, which asks for its owner's password: type the one above.
3. B asks "Follow ${a.author.fullname}?": press Accept. You come back to A: "You are subscribed".
   B is static, so it is rebuilt first: once this terminal says "B: rebuilt" (a few
   seconds), B's Following page lists A: ${b.url}following/
4. Press Enter here to publish a new post on A (or add a Markdown file to
   ${path.join(a.sourceDir, "posts")}/). A is rebuilt, its sidecar pushes the notice to B,
   and B is rebuilt when it arrives; after "B: rebuilt" it is on ${b.url}timeline/
5. To stop following: ${b.url}admin, "Stop following". Publish again on A (Enter):
   B answers 403 and A drops B (A's status page: ${a.url}admin).
   Each site keeps its own login (its session cookie is named after its port): A's status
   page asks for the password again, and logging in on one does not log you out of the other.
${peerStep}
Sidecar logs: ${path.join(a.dataDir, "sidecar.log")}
              ${path.join(b.dataDir, "sidecar.log")}
Ctrl-C stops everything. The next run starts afresh.
`);
}

main().catch((e: unknown) => {
  process.stderr.write(`demo: ${(e as Error).message}\n`);
  void stop(1);
});
