/**
 * A throwaway PostgreSQL cluster for tests: `initdb` into a temp folder, trust auth, listening
 * on 127.0.0.1 at a free port (and a unix socket in that folder), started with `pg_ctl -w`.
 * initdb refuses to run as root: then the cluster runs as the `postgres` user (or `nobody`),
 * which owns the folder. Without the binaries, `PG_MISSING` says what to install.
 */
import { execFile, execFileSync } from "node:child_process";
import { existsSync, readdirSync, rmSync } from "node:fs";
import { chown, mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import pg from "pg";

const run = promisify(execFile);

/** The folder holding initdb and pg_ctl: PATH first, then Debian's /usr/lib/postgresql/<n>/bin. */
export function findPgBin(): string | undefined {
  const onPath = (process.env.PATH ?? "").split(path.delimiter).filter(Boolean);
  const debian = "/usr/lib/postgresql";
  const versions = existsSync(debian)
    ? readdirSync(debian)
        .filter((v) => /^\d+$/.test(v))
        .sort((a, b) => Number(b) - Number(a))
        .map((v) => path.join(debian, v, "bin"))
    : [];
  return [...onPath, ...versions].find(
    (dir) => existsSync(path.join(dir, "initdb")) && existsSync(path.join(dir, "pg_ctl")),
  );
}

/** Why PostgreSQL tests skip when `findPgBin()` finds nothing. */
export const PG_MISSING =
  "PostgreSQL's initdb and pg_ctl were not found (PATH, /usr/lib/postgresql/*/bin): apt-get install postgresql";

export interface PgCluster {
  /** A URL of database `db` on the cluster (user postgres, no password). */
  url(db?: string): string;
  /** Creates a database (optionally as a copy of `template`) and answers its URL. */
  createDatabase(name: string, template?: string): Promise<string>;
  stop(): Promise<void>;
}

/** uid and gid to run the cluster as: ours, or an unprivileged user's when we are root. */
function clusterUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  for (const name of ["postgres", "nobody"]) {
    try {
      const uid = Number(execFileSync("id", ["-u", name], { encoding: "utf8" }).trim());
      const gid = Number(execFileSync("id", ["-g", name], { encoding: "utf8" }).trim());
      if (Number.isInteger(uid) && uid > 0) return { uid, gid };
    } catch {
      // no such user: try the next
    }
  }
  throw new Error("pg-cluster: running as root and neither user postgres nor nobody exists");
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const address = s.address();
      s.close(() => (typeof address === "object" && address ? resolve(address.port) : reject()));
    });
  });
}

/**
 * Starts a cluster; `stop()` stops it and removes its folder (also done at process exit).
 * `settings` are extra server settings (`name=value`, e.g. a benchmark's extensions).
 */
export async function startPgCluster(settings: string[] = []): Promise<PgCluster> {
  const bin = findPgBin();
  if (!bin) throw new Error(PG_MISSING);
  const user = clusterUser();
  const dir = await mkdtemp(path.join(tmpdir(), "ef-pg-"));
  if (user) await chown(dir, user.uid, user.gid);
  const data = path.join(dir, "data");
  const as = { ...user, cwd: dir, env: { ...process.env, LC_ALL: "C" } };
  const pgCtl = path.join(bin, "pg_ctl");
  await run(
    path.join(bin, "initdb"),
    ["-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-locale", "--no-sync"],
    as,
  );
  let port = 0;
  for (let attempt = 1; ; attempt++) {
    port = await freePort();
    const options = `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200${settings.map((x) => ` -c ${x}`).join("")}`;
    try {
      await run(
        pgCtl,
        ["-D", data, "-l", path.join(dir, "log"), "-w", "-t", "60", "-o", options, "start"],
        as,
      );
      break;
    } catch (e) {
      if (attempt >= 3) throw e; // the port was taken meanwhile: another one
    }
  }
  let stopped = false;
  const stopNow = () => {
    if (stopped) return;
    stopped = true;
    try {
      execFileSync(pgCtl, ["-D", data, "-m", "immediate", "-w", "stop"], {
        ...as,
        stdio: "ignore",
      });
    } catch {
      // already down
    }
    rmSync(dir, { recursive: true, force: true });
  };
  process.once("exit", stopNow);
  const url = (db = "postgres") => `postgres://postgres@127.0.0.1:${port}/${db}`;
  return {
    url,
    async createDatabase(name, template) {
      const client = new pg.Client({ connectionString: url() });
      await client.connect();
      try {
        const from = template ? ` TEMPLATE "${template}"` : "";
        await client.query(`CREATE DATABASE "${name}"${from}`);
      } finally {
        await client.end();
      }
      return url(name);
    },
    async stop() {
      if (!stopped) {
        stopped = true;
        process.off("exit", stopNow);
        // "smart" first: it waits for the test's last connections to finish closing. "fast"
        // would send each a FATAL message, which a client already ended but not yet closed
        // gets as an unhandled error (seen under load: the file failed after its tests).
        await run(pgCtl, ["-D", data, "-m", "smart", "-w", "-t", "10", "stop"], as).catch(() =>
          run(pgCtl, ["-D", data, "-m", "fast", "-w", "stop"], as),
        );
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
