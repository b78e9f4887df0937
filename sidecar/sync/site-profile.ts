/** The site's own profile: the one last synced from the manifest, else the manifest read now. */
import type { Config } from "../config.js";
import type { Logger } from "../log.js";
import type { HttpClient } from "../net/client.js";
import type { Store } from "../store/store.js";
import type { SiteProfile } from "../store/types.js";
import { readManifest } from "./manifest-source.js";

/** A profile read from the manifest (before the first sync) is reused this long. */
const MANIFEST_CACHE_MS = 60_000;

export class SiteProfileSource {
  readonly #deps: { config: Config; store: Store; siteHttp: HttpClient; log: Logger };
  #cached: { at: number; profile: SiteProfile } | undefined;

  constructor(deps: { config: Config; store: Store; siteHttp: HttpClient; log: Logger }) {
    this.#deps = deps;
  }

  /**
   * The last synced profile, or before the first sync the manifest read now. Throws
   * ManifestSourceError / ManifestError when there is none to be had (no manifest
   * configured, site not built or deployed).
   */
  async current(): Promise<SiteProfile> {
    const synced = (await this.#deps.store.syncState()).profile;
    if (synced) return synced;
    // Without validators the read is never "not-modified"; the check keeps the types honest.
    const read = await readManifest(this.#deps);
    if (read === "not-modified") throw new Error("readManifest: not-modified without validators");
    return read.manifest.profile;
  }

  /**
   * `current()` cached for a minute, undefined when unknown: asked on every inbound
   * notice (the license check), so a site without a sync yet is not read each time.
   */
  async cached(): Promise<SiteProfile | undefined> {
    const synced = (await this.#deps.store.syncState()).profile;
    if (synced) return synced;
    const hit = this.#cached;
    if (hit && Date.now() - hit.at < MANIFEST_CACHE_MS) return hit.profile;
    try {
      const profile = await this.current();
      this.#cached = { at: Date.now(), profile };
      return profile;
    } catch (err) {
      this.#deps.log.warn(
        { err },
        "the site's own profile is unknown (no sync yet, manifest unreadable)",
      );
      return hit?.profile;
    }
  }
}
