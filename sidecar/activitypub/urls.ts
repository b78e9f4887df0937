/** Where the ActivityPub wing lives: Fedify's URI templates under the sidecar's base path, the origins. */
import { AP_PATHS, type ApPath, NODEINFO_PATH } from "../../contract/activitypub-paths.js";
import type { Config } from "../config.js";

export { NODEINFO_PATH };
/** Paths at the host's root whatever the base path: WebFinger and NodeInfo discovery. */
export const WELL_KNOWN_PATHS = ["/.well-known/webfinger", "/.well-known/nodeinfo"] as const;

export interface ApUrls {
  /** `https://sidecar.example` (Fedify's web origin: every id is built on it). */
  webOrigin: string;
  /** The sidecar's base path without a trailing slash ("" or "/fed"). */
  basePath: string;
  /** The site's host: the handle's domain (`@nick@site-host`). */
  handleHost: string;
  /** The sidecar's host: also answered in WebFinger (`@nick@sidecar-host`). */
  sidecarHost: string;
  /** A Fedify template: the contract's path under the base path. */
  template(path: ApPath): string;
  nodeInfo: string;
}

export function apUrls(config: Pick<Config, "siteUrl" | "publicUrl">): ApUrls {
  const pub = new URL(config.publicUrl);
  const basePath = pub.pathname.replace(/\/+$/, "");
  return {
    webOrigin: pub.origin,
    basePath,
    handleHost: new URL(config.siteUrl).host,
    sidecarHost: pub.host,
    template: (path) => basePath + AP_PATHS[path],
    nodeInfo: basePath + NODEINFO_PATH,
  };
}

/**
 * The public URL of a request the sidecar received at `originalUrl` (a reverse proxy strips
 * the base path, as for the OMB endpoints; the well-known paths sit at the host's root).
 */
export function publicRequestUrl(urls: ApUrls, originalUrl: string): string {
  const path = originalUrl.split("?")[0] ?? "";
  const atRoot = WELL_KNOWN_PATHS.some((p) => path.toLowerCase() === p);
  return urls.webOrigin + (atRoot ? "" : urls.basePath) + originalUrl;
}
