/** The manifest contract: the /federation/manifest.json schema the plugin writes and the sidecar reads. */
import { z } from "zod";

/**
 * The contract between the plugin (which writes `/federation/manifest.json` at build time)
 * and the sidecar (which reads the published copy after a deploy). DESIGN.md "Contracts".
 * Version 2 adds each post's title, HTML body, summary, tags, language and `updated`; the
 * sidecar still reads version 1 (those fields absent). A post that was in an earlier
 * manifest and is no longer in this one was removed: the sidecar's diff finds it.
 */
export const MANIFEST_VERSION = 2;
export const MANIFEST_PATH = "/federation/manifest.json";

/**
 * How Eleventy was run when it wrote the manifest. `eleventy --serve` and `--watch` build
 * what a production build leaves out (the starter blog's drafts), so the sidecar never syncs
 * such a manifest. The plugin writes the field only for those modes: absent means a build,
 * as in every manifest written before the field existed.
 */
export const MANIFEST_RUN_MODES = ["build", "serve", "watch"] as const;
export type ManifestRunMode = (typeof MANIFEST_RUN_MODES)[number];

/**
 * Text that can be sent: notices and profiles go out form-encoded as UTF-8, which cannot
 * carry a lone surrogate (JSON "\ud800", or a post's "&#xD800;"); it would make every
 * delivery of the notice fail. Found by test/fuzz.
 */
const text = () =>
  z.string().refine((s) => s.isWellFormed(), "must be well-formed Unicode (no lone surrogate)");

const httpUrl = text()
  .max(2048)
  .refine((s) => /^https?:\/\/[^\s]+$/i.test(s), "must be an absolute http(s) URL");

export const manifestProfileSchema = z.object({
  uri: httpUrl,
  profile: httpUrl,
  nickname: text().min(1).max(64),
  fullname: text().max(255),
  bio: text().max(2000),
  location: text().max(255),
  homepage: text().max(2048),
  avatar: text().max(2048),
  license: text().max(2048),
});

export const manifestNoticeSchema = z.object({
  uri: httpUrl,
  url: httpUrl,
  /** The post as a short plain-text notice (OMB's ≤ 140 characters). */
  content: text().min(1).max(10_000),
  published: z.iso.datetime({ offset: true }),
  license: text().max(2048),
  // Version 2:
  title: text().max(1000).optional(),
  /** The post's rendered body (its template content, without the layout). */
  html: text().max(1_000_000).optional(),
  /** A teaser or the front matter's summary/description. */
  summary: text().max(5000).optional(),
  tags: z.array(text().min(1).max(200)).max(100).optional(),
  /** BCP 47 language tag, or "" when unknown. */
  language: text()
    .max(35)
    .refine(
      (s) => s === "" || /^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$/.test(s),
      "must be a BCP 47 language tag",
    )
    .optional(),
  /** Set when the post was edited after it was published (front matter `updated`). */
  updated: z.iso.datetime({ offset: true }).optional(),
  /**
   * The post answers this one (front matter `inReplyTo`): a fediverse post's id or URL, or
   * another site's post page. Sent as the object's `inReplyTo`.
   */
  inReplyTo: httpUrl.optional(),
});

const manifestBody = {
  generator: z.string().max(200).optional(),
  generated: z.iso.datetime({ offset: true }).optional(),
  runMode: z.enum(MANIFEST_RUN_MODES).optional(),
  profile: manifestProfileSchema,
  notices: z.array(manifestNoticeSchema).max(100_000),
};

export const manifestSchema = z.discriminatedUnion("version", [
  z.object({ version: z.literal(MANIFEST_VERSION), ...manifestBody }),
  z.object({ version: z.literal(1), ...manifestBody }),
]);

export type Manifest = z.infer<typeof manifestSchema>;
export type ManifestNotice = z.infer<typeof manifestNoticeSchema>;
export type ManifestProfile = z.infer<typeof manifestProfileSchema>;
/** The site's profile as the sidecar keeps and sends it. */
export type SiteProfile = ManifestProfile;

/** The run mode a manifest was written in ("build" when it does not say). */
export function manifestRunMode(manifest: Pick<Manifest, "runMode">): ManifestRunMode {
  return manifest.runMode ?? "build";
}

export class ManifestError extends Error {
  override name = "ManifestError";
}

/** Validates parsed JSON as a manifest; the error lists each bad field by its path. */
export function parseManifest(json: unknown, source: string): Manifest {
  const result = manifestSchema.safeParse(json);
  if (result.success) return result.data;
  const problems = result.error.issues
    .slice(0, 10)
    .map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`)
    .join("; ");
  throw new ManifestError(`eleventy-federation: invalid manifest at ${source}: ${problems}`);
}
