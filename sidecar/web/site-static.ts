/** Serves a built site (`--site`) without following symlinks that lead out of its folder. */
import { realpath, stat } from "node:fs/promises";
import path from "node:path";
import express from "express";
import { XRDS_CONTENT_TYPE } from "../../protocol/omb/constants.js";

/** A built site served from the same process: the XRDS goes out as application/xrds+xml. */
const STATIC_OPTIONS = {
  extensions: ["html"],
  index: ["index.html"],
  setHeaders(res: express.Response, file: string) {
    if (file.endsWith("xrds.xml")) res.setHeader("Content-Type", XRDS_CONTENT_TYPE);
  },
};

/** Whether `file` is `root` or lies inside it (both real paths). */
export function isInside(root: string, file: string): boolean {
  const rel = path.relative(root, file);
  return rel === "" || (!rel.startsWith(`..${path.sep}`) && rel !== ".." && !path.isAbsolute(rel));
}

/** The real path of `file`, or null when it does not exist (or cannot be read). */
async function real(file: string): Promise<string | null> {
  try {
    return await realpath(file);
  } catch {
    return null;
  }
}

/**
 * Whether what the static middleware would send for `urlPath` (the file, the folder and
 * its index.html, or `<path>.html`) resolves outside `root`, through a symlink anywhere on
 * the way. The site folder itself may be a symlink (a release switched atomically); it is
 * resolved on each request.
 */
async function leavesRoot(root: string, urlPath: string): Promise<boolean> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return false; // express.static answers 400 itself
  }
  if (decoded.includes("\0")) return false;
  const realRoot = await real(root);
  if (!realRoot) return true;
  const candidate = path.join(root, path.normalize(`.${path.sep}${decoded}`));
  const found = await real(candidate);
  if (found) {
    if (!isInside(realRoot, found)) return true;
    const s = await stat(found).catch(() => null);
    if (!s?.isDirectory()) return false;
    const index = await real(path.join(found, "index.html"));
    return index !== null && !isInside(realRoot, index);
  }
  const html = await real(`${candidate.replace(/[/\\]+$/, "")}.html`);
  return html !== null && !isInside(realRoot, html);
}

/**
 * express.static for `root`, except that a path resolving outside it through a symlink is
 * not found (404): a link in the built site to /etc or to the data folder serves nothing.
 */
export function siteStatic(root: string): express.RequestHandler {
  const serve = express.static(root, STATIC_OPTIONS);
  return (req, res, next) => {
    if (req.method !== "GET" && req.method !== "HEAD") {
      next();
      return;
    }
    leavesRoot(root, req.path).then(
      (outside) => (outside ? next() : serve(req, res, next)),
      (e: unknown) => next(e),
    );
  };
}

/**
 * The site's own not-found page: for a GET or HEAD no route and no file answered, the built
 * site's `404.html` (as static hosts serve it) with status 404; without one, the sidecar's.
 */
export function siteNotFound(root: string): express.RequestHandler {
  return (req, res, next) => {
    if ((req.method !== "GET" && req.method !== "HEAD") || !req.accepts("html")) {
      next();
      return;
    }
    const file = path.join(root, "404.html");
    leavesRoot(root, "/404.html").then(
      (outside) => {
        if (outside) return next();
        res.status(404).sendFile(file, { headers: { "Cache-Control": "no-cache" } }, (e) => {
          if (e && !res.headersSent) next();
        });
      },
      (e: unknown) => next(e),
    );
  };
}
