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

/** One bad option: which, what is wrong with it, and what to do. */
export interface Problem {
  option: string;
  message: string;
  fix: string;
}

type Check = (option: string, value: unknown) => Omit<Problem, "option"> | null;

/** How a bad value is quoted in a message: short, and never more than one line. */
export function show(value: unknown): string {
  if (value === undefined) return "nothing";
  const s =
    typeof value === "string" ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

const bytes = (s: string) => Buffer.byteLength(s, "utf8");

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** A site path option such as "/s/" or "timeline": safe characters between slashes. */
export const PAGE_PATH = /^\/?[A-Za-z0-9._~-]+(\/[A-Za-z0-9._~-]+)*\/?$/;

/** An absolute http(s) URL that OMB receivers accept (PEAR Validate::uri, OMB.md §5). */
function httpUrl({ base, maxBytes }: { base: boolean; maxBytes: number }): Check {
  return (_option, value) => {
    const example = base ? "https://blog.example.com/" : "https://blog.example.com/me.png";
    if (typeof value !== "string" || value === "") {
      return {
        message: `must be an absolute http(s) URL, got ${show(value)}`,
        fix: `set it, e.g. "${example}"`,
      };
    }
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      return {
        message: `must be an absolute http(s) URL, got ${show(value)}`,
        fix: `write the whole URL, e.g. "${example}"`,
      };
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      return {
        message: `must use http or https, got ${show(value)}`,
        fix: `use an http(s) URL, e.g. "${example}"`,
      };
    }
    if (url.username !== "" || url.password !== "") {
      return {
        message: `must not contain a user name or password, got ${show(value)}`,
        fix: "remove the user:password@ part",
      };
    }
    if (base && (url.search !== "" || url.hash !== "")) {
      return {
        message: `must not have a query or fragment, got ${show(value)}`,
        fix: `remove the part from "?" or "#" on`,
      };
    }
    // A base URL is used normalised (lowercase scheme and host, trailing slash): check that form.
    if (!isValidUri(base ? url.href : value)) {
      return {
        message: `is not a URL that OMB servers accept (host labels a-z, 0-9 and "-", the last one starting with a letter; no ";/?:@$," in the query), got ${show(value)}`,
        fix: "use a plain host name such as blog.example.com (not an underscore name) and a simple path",
      };
    }
    if (bytes(value) > maxBytes) {
      return {
        message: `must be at most ${maxBytes} bytes, got ${bytes(value)}`,
        fix: "use a shorter URL",
      };
    }
    return null;
  };
}

function optional(check: Check, allowPath = false): Check {
  return (option, value) =>
    value === undefined ||
    value === "" ||
    (allowPath && typeof value === "string" && value.startsWith("/"))
      ? null
      : check(option, value);
}

function text(maxBytes: number): Check {
  return (_option, value) => {
    if (value === undefined) return null;
    if (typeof value !== "string")
      return { message: `must be text, got ${show(value)}`, fix: "quote the value" };
    if (bytes(value) > maxBytes) {
      return {
        message: `must be at most ${maxBytes} bytes in UTF-8 (OMB servers count bytes), got ${bytes(value)}`,
        fix: "shorten it",
      };
    }
    return null;
  };
}

const nickname: Check = (option, value) => {
  const suggestion =
    typeof value === "string"
      ? value
          .toLowerCase()
          .replace(/[^a-z0-9]/g, "")
          .slice(0, 64)
      : "";
  const fix = `use only a-z and 0-9${suggestion ? `, e.g. "${suggestion}"` : ""}`;
  if (typeof value !== "string" || value === "") {
    return {
      message: `must be 1–64 ASCII letters or digits, got ${show(value)}`,
      fix: 'set it, e.g. "alice"',
    };
  }
  try {
    validateNickname(option, value);
  } catch (err) {
    if (!(err instanceof OmbValidationError)) throw err;
    return { message: `must be 1–64 ASCII letters or digits, got ${show(value)}`, fix };
  }
  if (value !== value.toLowerCase()) {
    return {
      message: `must be lowercase (Laconica 0.5–0.8 reject capitals), got ${show(value)}`,
      fix,
    };
  }
  return null;
};

const nonEmptyString: Check = (_option, value) =>
  typeof value === "string" && value.trim() !== ""
    ? null
    : {
        message: `must be a non-empty string, got ${show(value)}`,
        fix: 'name the collection of your posts, e.g. "posts"',
      };

const noticeTemplate: Check = (_option, value) => {
  if (value === undefined) return null;
  if (typeof value !== "string" || value.trim() === "") {
    return {
      message: `must be a non-empty string, got ${show(value)}`,
      fix: 'e.g. "{title} {shortUrl}"',
    };
  }
  try {
    parseNoticeTemplate(value);
  } catch (err) {
    if (!(err instanceof NoticeTemplateError)) throw err;
    return {
      message: err.message,
      fix: "use only {title}, {url}, {shortUrl}, {siteUrl} and {teaser}",
    };
  }
  return null;
};

const shortLinkPrefix: Check = (_option, value) => {
  if (value === undefined) return null;
  if (typeof value !== "string" || !PAGE_PATH.test(value)) {
    return {
      message: `must be a path such as "/s/" (letters, digits, ".", "_", "~", "-" between slashes), got ${show(value)}`,
      fix: 'use "/s/" or another short path of your own',
    };
  }
  return null;
};

const boolean: Check = (_option, value) =>
  value === undefined || typeof value === "boolean"
    ? null
    : {
        message: `must be true or false, got ${show(value)}`,
        fix: "write true or false, without quotes",
      };

export const envName: Check = (_option, value) =>
  value === undefined || (typeof value === "string" && /^[A-Za-z_][A-Za-z0-9_]*$/.test(value))
    ? null
    : {
        message: `must be the name of an environment variable, got ${show(value)}`,
        fix: "give the variable's name (e.g. FEDERATION_HOOK_SECRET), never the secret itself",
      };

const baseUrl = httpUrl({ base: true, maxBytes: MAX_URI_BYTES });
const url255 = httpUrl({ base: false, maxBytes: MAX_URI_BYTES });
const url2048 = httpUrl({ base: false, maxBytes: 2048 });

export const PROFILE_CHECKS: Record<string, Check> = {
  nickname,
  fullname: text(MAX_FULLNAME_BYTES),
  bio: text(MAX_BIO_BYTES),
  location: text(MAX_LOCATION_BYTES),
  homepage: optional(url255),
  avatar: optional(url255, true),
  license: optional(url2048),
};

/** A problem for each key of `value` not in `known`; `prefix` is e.g. "profile.". */
export function unknownKeys(
  prefix: string,
  value: Record<string, unknown>,
  known: readonly string[],
): Problem[] {
  return Object.keys(value)
    .filter((k) => !known.includes(k))
    .map((k) => ({
      option: prefix + k,
      message: "is not an option of this plugin",
      fix: `remove it or check its spelling; the options here are ${known.join(", ")}`,
    }));
}

function nested(
  prefix: string,
  value: unknown,
  checks: Record<string, Check>,
  required: boolean,
): Problem[] {
  if (value === undefined || value === null) {
    return required
      ? [
          {
            option: prefix,
            message: "is required",
            fix: `set ${prefix}: { ${Object.keys(checks)[0]}: ... }`,
          },
        ]
      : [];
  }
  if (typeof value !== "object" || Array.isArray(value)) {
    return [
      {
        option: prefix,
        message: `must be an object, got ${show(value)}`,
        fix: `write ${prefix}: { ... }`,
      },
    ];
  }
  const record = value as Record<string, unknown>;
  const problems = unknownKeys(`${prefix}.`, record, Object.keys(checks));
  for (const [key, check] of Object.entries(checks)) {
    const p = check(`${prefix}.${key}`, record[key]);
    if (p) problems.push({ option: `${prefix}.${key}`, ...p });
  }
  return problems;
}

/** Every problem with the user's options, in the order they are documented. */
export function optionProblems(
  input: Record<string, unknown>,
  knownOptions: readonly string[],
): Problem[] {
  const problems = unknownKeys("", input, knownOptions);
  const top: Record<string, Check> = {
    siteUrl: baseUrl,
    sidecarUrl: baseUrl,
    collection: (o, v) => (v === undefined ? null : nonEmptyString(o, v)),
    noticeTemplate,
    shortLinkPrefix,
    shortLinks: boolean,
  };
  for (const [key, check] of Object.entries(top)) {
    const p = check(key, input[key]);
    if (p) problems.push({ option: key, ...p });
  }
  problems.push(...nested("profile", input.profile, PROFILE_CHECKS, true));
  problems.push(
    ...nested("openid", input.openid, { server: url2048, delegate: optional(url2048) }, false),
  );
  problems.push(
    ...nested("hook", input.hook, { url: optional(url2048), secretEnv: envName }, false),
  );
  return problems;
}
