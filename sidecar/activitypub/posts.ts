/**
 * The site's posts as the sidecar serves them at their object ids: those it has published
 * (the store's post records), with their content from the latest built manifest a sync
 * recorded, or from the manifest read once when none was seen since start. A removed post
 * is a Tombstone; one never synced (a draft, a post not deployed yet) is unknown.
 */
import { postObjectKey } from "../../contract/activitypub-paths.js";
import type { Manifest, ManifestNotice } from "../../contract/manifest.js";
import type { Context } from "../context.js";
import type { PublishedPost } from "../store/types.js";
import { checkBuiltManifest, readManifest } from "../sync/manifest-source.js";

export type PostLookup =
  | { kind: "post"; notice: ManifestNotice; record: PublishedPost }
  | { kind: "removed"; record: PublishedPost & { removedAt: string } };

/** A failed manifest read is not tried again sooner than this. */
const RETRY_READ_MS = 60_000;

export class SitePosts {
  readonly #ctx: Pick<Context, "config" | "siteHttp" | "store" | "log" | "events">;
  #notices: Map<string, ManifestNotice> | undefined;
  #reading: Promise<void> | undefined;
  #failedAt = 0;
  /** Object keys by post URI: hashed once each. */
  readonly #keys = new Map<string, string>();

  constructor(ctx: Pick<Context, "config" | "siteHttp" | "store" | "log" | "events">) {
    this.#ctx = ctx;
    ctx.events.on("manifest", (m) => this.#use(m));
  }

  /** The post whose object key is `key` (`postObjectKey(uri)`), or null. */
  async byKey(key: string): Promise<PostLookup | null> {
    const record = (await this.#records()).get(key);
    if (!record) return null;
    if (record.removedAt)
      return { kind: "removed", record: { ...record, removedAt: record.removedAt } };
    const notice = (await this.#manifestNotices()).get(record.uri);
    return notice ? { kind: "post", notice, record } : null;
  }

  /** Published posts that are on the site now, newest first. */
  async latest(): Promise<ManifestNotice[]> {
    const published = await this.#ctx.store.publishedPosts();
    const notices = await this.#manifestNotices();
    return [...notices.values()]
      .filter((n) => {
        const r = published.get(n.uri);
        return r !== undefined && !r.removedAt;
      })
      .sort((a, b) => Date.parse(b.published) - Date.parse(a.published));
  }

  async #records(): Promise<Map<string, PublishedPost>> {
    const byKey = new Map<string, PublishedPost>();
    for (const p of (await this.#ctx.store.publishedPosts()).values()) {
      let key = this.#keys.get(p.uri);
      if (key === undefined) {
        key = postObjectKey(p.uri);
        this.#keys.set(p.uri, key);
      }
      byKey.set(key, p);
    }
    return byKey;
  }

  #use(manifest: Manifest): void {
    this.#notices = new Map(manifest.notices.map((n) => [n.uri, n]));
  }

  async #manifestNotices(): Promise<Map<string, ManifestNotice>> {
    if (this.#notices) return this.#notices;
    if (Date.now() - this.#failedAt >= RETRY_READ_MS) {
      this.#reading ??= this.#read().finally(() => {
        this.#reading = undefined;
      });
      await this.#reading;
    }
    return this.#notices ?? new Map();
  }

  async #read(): Promise<void> {
    try {
      const read = await readManifest(this.#ctx);
      if (read === "not-modified") return;
      checkBuiltManifest(read.manifest, this.#ctx.config.manifest ?? "");
      this.#notices ??= new Map(read.manifest.notices.map((n) => [n.uri, n]));
    } catch (err) {
      this.#failedAt = Date.now();
      this.#ctx.log.warn(
        { err: (err as Error).message },
        "ActivityPub: could not read the manifest to serve the posts' objects; they answer 404 until the next sync",
      );
    }
  }
}
