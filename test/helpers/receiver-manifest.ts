import { createHash } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Manifest, ManifestNotice, ManifestProfile } from "../../contract/manifest.js";
import { DEFAULT_LICENSE } from "../../protocol/omb/constants.js";

/** A site's manifest for delivery tests: profile + notices, newest first (as the plugin writes). */
export function testManifest(
  site: string,
  ids: number[],
  profile: Partial<ManifestProfile> = {},
): Manifest {
  return {
    version: 1,
    profile: {
      uri: site,
      profile: site,
      nickname: "ann",
      fullname: "Ann Example",
      bio: "",
      location: "",
      homepage: site,
      avatar: "",
      license: DEFAULT_LICENSE,
      ...profile,
    },
    notices: ids
      .map((i) => testNotice(site, i))
      .sort((a, b) => b.published.localeCompare(a.published)),
  };
}

export function testNotice(site: string, i: number): ManifestNotice {
  return {
    uri: `${site}posts/${i}/`,
    url: `${site}posts/${i}/`,
    content: `Post number ${i} & ünïcödé + 100% <ok>`,
    published: new Date(Date.UTC(2024, 0, 1, 0, i)).toISOString(),
    license: DEFAULT_LICENSE,
  };
}

export async function writeManifest(file: string, m: Manifest): Promise<void> {
  // A new mtime even within the same second: the file source compares mtimes.
  await writeFile(file, JSON.stringify(m));
}

/**
 * The published manifest over HTTP with an ETag and 304s, like a static host: counts
 * full answers, 304s and the most requests it had in flight at once.
 */
export interface ManifestSite {
  url: string;
  set(m: Manifest): void;
  stats: { full: number; notModified: number; maxInFlight: number };
  delayMs: number;
  close(): Promise<void>;
}

export async function startManifestSite(m: Manifest, delayMs = 0): Promise<ManifestSite> {
  let body = JSON.stringify(m);
  let inFlight = 0;
  const etag = () => `"${createHash("sha1").update(body).digest("hex")}"`;
  const site: ManifestSite = {
    url: "",
    set: (next) => {
      body = JSON.stringify(next);
    },
    stats: { full: 0, notModified: 0, maxInFlight: 0 },
    delayMs,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const server = createServer((req, res) => {
    inFlight++;
    site.stats.maxInFlight = Math.max(site.stats.maxInFlight, inFlight);
    setTimeout(() => {
      inFlight--;
      const tag = etag();
      if (req.headers["if-none-match"] === tag) {
        site.stats.notModified++;
        res.writeHead(304, { etag: tag }).end();
        return;
      }
      site.stats.full++;
      res.writeHead(200, { "content-type": "application/json", etag: tag }).end(body);
    }, site.delayMs);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  site.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/federation/manifest.json`;
  return site;
}
