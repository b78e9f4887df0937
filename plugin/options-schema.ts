/** The plugin's options as a zod schema: every rule a value must meet, each with the message and fix a user sees. */
import { z } from "zod";
import {
  INTERACTIONS_EXPORT_FILE,
  INTERACTIONS_JSON_PATH,
} from "../contract/interactions-export.js";
import { NoticeTemplateError, parseNoticeTemplate } from "../protocol/omb/notice-text.js";
import {
  isValidUri,
  MAX_BIO_BYTES,
  MAX_FULLNAME_BYTES,
  MAX_LOCATION_BYTES,
  MAX_URI_BYTES,
  OmbValidationError,
  validateNickname,
} from "../protocol/omb/validate.js";
import {
  boolean,
  bytes,
  envName,
  exportSource,
  nonBlank,
  options,
  pagePath,
  ruled,
  says,
  text,
} from "./option-rules.js";
import { timelineShape } from "./timeline/options.js";
import { widgetsSchema } from "./widgets-options.js";

/** An absolute http(s) URL that OMB receivers accept (PEAR Validate::uri, OMB.md §5). */
function httpUrl({ base, maxBytes, orPath = false }: HttpUrl) {
  const example = base ? "https://blog.example.com/" : "https://blog.example.com/me.png";
  const absolute = "must be an absolute http(s) URL";
  const url = (v: string) => new URL(v);
  return ruled(
    z.string({ error: says(absolute, `set it, e.g. "${example}"`) }),
    [
      { holds: (v) => v !== "", message: absolute, fix: `set it, e.g. "${example}"` },
      {
        holds: (v) => URL.canParse(v),
        message: absolute,
        fix: `write the whole URL, e.g. "${example}"`,
      },
      {
        holds: (v) => ["http:", "https:"].includes(url(v).protocol),
        message: "must use http or https",
        fix: `use an http(s) URL, e.g. "${example}"`,
      },
      {
        holds: (v) => url(v).username === "" && url(v).password === "",
        message: "must not contain a user name or password",
        fix: "remove the user:password@ part",
      },
      {
        holds: (v) => !base || (url(v).search === "" && url(v).hash === ""),
        message: "must not have a query or fragment",
        fix: `remove the part from "?" or "#" on`,
      },
      {
        // A base URL is used normalised (lowercase scheme and host, trailing slash): check that.
        holds: (v) => isValidUri(base ? url(v).href : v),
        message:
          'is not a URL that OMB servers accept (host labels a-z, 0-9 and "-", the last one starting with a letter; no ";/?:@$," in the query)',
        fix: "use a plain host name such as blog.example.com (not an underscore name) and a simple path",
      },
      {
        holds: (v) => bytes(v) <= maxBytes,
        message: (v) => `must be at most ${maxBytes} bytes, got ${bytes(String(v))}`,
        fix: "use a shorter URL",
      },
    ],
    // Optional URLs: "" means unset, and a site path (the avatar) is resolved later.
    (v) => !base && (v === "" || (orPath && v.startsWith("/"))),
  );
}

interface HttpUrl {
  base: boolean;
  maxBytes: number;
  orPath?: boolean;
}

const baseUrl = httpUrl({ base: true, maxBytes: MAX_URI_BYTES });

const nicknameMessage = "must be 1–64 ASCII letters or digits";
const nicknameFix = (v: unknown) => {
  const s = typeof v === "string" ? v.toLowerCase().replace(/[^a-z0-9]/g, "") : "";
  return `use only a-z and 0-9${s ? `, e.g. "${s.slice(0, 64)}"` : ""}`;
};

const nickname = ruled(z.string({ error: says(nicknameMessage, 'set it, e.g. "alice"') }), [
  { holds: (v) => v !== "", message: nicknameMessage, fix: 'set it, e.g. "alice"' },
  { holds: (v) => isOmbNickname(v), message: nicknameMessage, fix: nicknameFix },
  {
    holds: (v) => v === v.toLowerCase(),
    message: "must be lowercase (Laconica 0.5–0.8 reject capitals)",
    fix: nicknameFix,
  },
]);

function isOmbNickname(v: string): boolean {
  try {
    validateNickname("nickname", v);
    return true;
  } catch (err) {
    if (err instanceof OmbValidationError) return false;
    throw err;
  }
}

/** The template's own complaint (an unknown placeholder, an unclosed brace), or null. */
function templateProblem(v: string): string | null {
  try {
    parseNoticeTemplate(v);
    return null;
  } catch (err) {
    if (err instanceof NoticeTemplateError) return err.message;
    throw err;
  }
}

const noticeTemplate = ruled(nonBlank("must be a non-empty string", 'e.g. "{title} {shortUrl}"'), [
  {
    holds: (v) => templateProblem(v) === null,
    message: (v) => templateProblem(String(v)) ?? "",
    fix: "use only {title}, {url}, {shortUrl}, {siteUrl} and {teaser}",
  },
]);

export const profileSchema = options(
  {
    nickname,
    fullname: text(MAX_FULLNAME_BYTES).optional(),
    bio: text(MAX_BIO_BYTES).optional(),
    location: text(MAX_LOCATION_BYTES).optional(),
    homepage: httpUrl({ base: false, maxBytes: MAX_URI_BYTES }).optional(),
    avatar: httpUrl({ base: false, maxBytes: MAX_URI_BYTES, orPath: true }).optional(),
    license: httpUrl({ base: false, maxBytes: 2048 }).optional(),
  },
  'write profile: { nickname: "alice" }',
  "set profile: { nickname: ... }",
);

const url2048 = httpUrl({ base: false, maxBytes: 2048 });

export const optionsSchema = options(
  {
    siteUrl: baseUrl,
    sidecarUrl: baseUrl,
    profile: profileSchema,
    collection: nonBlank(
      "must be a non-empty string",
      'name the collection of your posts, e.g. "posts"',
    ).optional(),
    noticeTemplate: noticeTemplate.optional(),
    shortLinkPrefix: pagePath("/s/", 'use "/s/" or another short path of your own').optional(),
    shortLinks: boolean.optional(),
    activitypub: boolean.optional(),
    openid: options(
      // `server` may not be "": a delegation needs somewhere to go.
      {
        server: ruled(url2048, [
          {
            holds: (v) => v !== "",
            message: "must be an absolute http(s) URL",
            fix: 'set it, e.g. "https://id.example/"',
          },
        ]),
        delegate: url2048.optional(),
      },
      'write openid: { server: "https://id.example/" }',
    )
      .nullable()
      .optional(),
    hook: options(
      { url: url2048.optional(), secretEnv: envName.optional() },
      "write hook: { url, secretEnv }, or leave it out",
    )
      .nullable()
      .optional(),
    ...timelineShape,
    interactions: exportSource({
      option: "interactions",
      fileName: INTERACTIONS_EXPORT_FILE,
      endpointPath: INTERACTIONS_JSON_PATH,
    })
      .nullable()
      .optional(),
    widgets: widgetsSchema.optional(),
  },
  "pass { siteUrl, sidecarUrl, profile: { nickname } } as the second argument of addPlugin",
);

/** The options a user passes: `siteUrl`, `sidecarUrl` and `profile.nickname` are required. */
export type FederationOptions = z.input<typeof optionsSchema>;
