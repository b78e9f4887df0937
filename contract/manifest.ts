import { z } from "zod";

/**
 * The contract between the plugin (which writes `/federation/manifest.json` at build time)
 * and the sidecar (which reads the published copy after a deploy). DESIGN.md "Contracts".
 */
export const MANIFEST_VERSION = 1;
export const MANIFEST_PATH = "/federation/manifest.json";

/**
 * Text that can be sent: notices and profiles go out form-encoded as UTF-8, which cannot
 * carry a lone surrogate (JSON "\ud800", or a post's "&#xD800;"); it would make every
 * delivery of the notice fail. Found by test/fuzz.
 */
const text = () =>
  z.string().refine((s) => !/\p{Cs}/u.test(s), "must be well-formed Unicode (no lone surrogate)");

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
  content: text().min(1).max(10_000),
  published: z.iso.datetime({ offset: true }),
  license: text().max(2048),
});

export const manifestSchema = z.object({
  version: z.literal(MANIFEST_VERSION),
  generator: z.string().max(200).optional(),
  generated: z.iso.datetime({ offset: true }).optional(),
  profile: manifestProfileSchema,
  notices: z.array(manifestNoticeSchema).max(100_000),
});

export type Manifest = z.infer<typeof manifestSchema>;
export type ManifestNotice = z.infer<typeof manifestNoticeSchema>;
export type ManifestProfile = z.infer<typeof manifestProfileSchema>;

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
