/**
 * Yadis discovery of a visitor's OMB endpoints (OMB.md §2, §10.1): profile page → XRDS
 * location (content negotiation, X-XRDS-Location header, or <meta http-equiv>) → XRDS →
 * endpoints. Every fetch goes through the guarded HttpClient; every failure becomes a
 * DiscoveryError that tells the visitor which step failed and what to do.
 */
import {
  XRDS_CONTENT_TYPE,
  XRDS_LOCATION_HEADER,
  YADIS_ACCEPT,
  YADIS_LOCATION_HEADER,
} from "../../../protocol/omb/constants.js";
import { MarkupLimitError, XRDS_LIMITS } from "../../../protocol/omb/xml-limits.js";
import { type XrdsEndpoints, XrdsError } from "../../../protocol/omb/xrds.js";
import { readXrds } from "../../../protocol/omb/xrds-read.js";
import { type BodyCap, FetchError, type HttpClient, type HttpResponse } from "../../net/client.js";
import { findXrdsLocationInHtml, HEAD_LIMITS } from "./html-meta.js";

export type DiscoveryStep =
  | "not-a-url"
  | "fetch-profile"
  | "no-yadis"
  | "fetch-xrds"
  | "bad-xrds"
  | "missing-services";

export class DiscoveryError extends Error {
  constructor(
    readonly step: DiscoveryStep,
    readonly url: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "DiscoveryError";
  }
}

export interface OmbDiscovery {
  /** The profile URL after redirects. */
  profileUrl: string;
  /** Where the XRDS came from (the profile URL itself when served by content negotiation). */
  xrdsUrl: string;
  endpoints: XrdsEndpoints;
}

/** Other XRDS documents an entry service may point to; each one costs a fetch. */
const MAX_REFERENCED_DOCUMENTS = 3;

export async function discoverOmb(client: HttpClient, profileUrl: string): Promise<OmbDiscovery> {
  const start = checkProfileUrl(profileUrl);
  const profile = await fetchOk(client, start, YADIS_ACCEPT, "fetch-profile");
  const { xrdsUrl, xml } = await locateXrds(client, profile);
  const endpoints = await readWithReferences(client, xml, xrdsUrl);
  return { profileUrl: profile.url, xrdsUrl, endpoints };
}

function checkProfileUrl(input: string): string {
  const notAUrl = (why: string) =>
    new DiscoveryError(
      "not-a-url",
      input,
      `"${input}" ${why}. Enter the full address of your profile page, starting with https:// or http://.`,
    );
  let url: URL;
  try {
    url = new URL(input.trim());
  } catch {
    throw notAUrl("is not a web address");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw notAUrl(`is a ${url.protocol} address, not a web page`);
  }
  if (url.username !== "" || url.password !== "") {
    throw notAUrl("contains a user name or password, which must never be shared here");
  }
  return url.href;
}

/** The XRDS text and its URL, by the three Yadis routes in their order of precedence. */
async function locateXrds(
  client: HttpClient,
  profile: HttpResponse,
): Promise<{ xrdsUrl: string; xml: string }> {
  const mediaType = (profile.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase();
  if (mediaType === XRDS_CONTENT_TYPE) return { xrdsUrl: profile.url, xml: profile.body };

  const location =
    nonEmpty(profile.headers[XRDS_LOCATION_HEADER]) ??
    nonEmpty(profile.headers[YADIS_LOCATION_HEADER]) ??
    locationInHtml(profile);
  if (!location && profile.truncated) {
    const announced = profile.headers["content-length"];
    throw new DiscoveryError(
      "fetch-profile",
      profile.url,
      `Your profile page ${profile.url} is larger than the ${HEAD_LIMITS.maxBytes} bytes read` +
        `${announced ? ` (it announced ${announced} bytes)` : ""}, and those do not say where its ` +
        "XRDS discovery document is; a real profile page says so in a head of a few KB. " +
        "Check the address of your profile and try again.",
    );
  }
  if (!location) {
    throw new DiscoveryError(
      "no-yadis",
      profile.url,
      `${profile.url} does not say where its XRDS discovery document is (no ${XRDS_CONTENT_TYPE} ` +
        'response, no X-XRDS-Location header, no <meta http-equiv="X-XRDS-Location"> in its head). ' +
        "Enter the profile page of an OpenMicroBlogging (OMB 0.1) account, such as a StatusNet or Laconica profile.",
    );
  }
  let xrdsUrl: string;
  try {
    xrdsUrl = new URL(location, profile.url).href;
  } catch {
    throw new DiscoveryError(
      "fetch-xrds",
      profile.url,
      `${profile.url} points to "${location}" for its XRDS document, which is not a valid address. Its service is misconfigured; tell its administrator.`,
    );
  }
  const xrds = await fetchOk(client, xrdsUrl, "*/*", "fetch-xrds");
  return { xrdsUrl, xml: xrds.body };
}

/** The `<meta http-equiv>` location; a page past the scan's caps fails as "no-yadis". */
function locationInHtml(profile: HttpResponse): string | null {
  try {
    return findXrdsLocationInHtml(profile.body, `the profile page ${profile.url}`);
  } catch (err) {
    if (!(err instanceof MarkupLimitError)) throw err;
    throw new DiscoveryError(
      "no-yadis",
      profile.url,
      `Looking for its XRDS location stopped: ${err.message}. Enter the profile page of an ` +
        "OpenMicroBlogging (OMB 0.1) account, or give it an X-XRDS-Location header.",
      { cause: err },
    );
  }
}

/** readXrds, fetching (a bounded number of) the other XRDS documents it asks for. */
async function readWithReferences(
  client: HttpClient,
  xml: string,
  xrdsUrl: string,
): Promise<XrdsEndpoints> {
  const others = new Map<string, string>();
  // Each round adds at least one document and the total is capped, so this ends.
  for (;;) {
    try {
      return readXrds(xml, xrdsUrl, others);
    } catch (err) {
      if (!(err instanceof XrdsError)) throw err;
      const missing = (err.missingDocuments ?? []).filter((url) => !others.has(url));
      if (err.code !== "external-reference") throw fromXrdsError(err, xrdsUrl);
      if (missing.length === 0 || others.size + missing.length > MAX_REFERENCED_DOCUMENTS) {
        throw new DiscoveryError(
          "bad-xrds",
          xrdsUrl,
          `The XRDS document ${xrdsUrl} refers to more other XRDS documents than the ` +
            `${MAX_REFERENCED_DOCUMENTS} that are followed (${[...others.keys(), ...missing].join(", ")}). ` +
            "Its service's discovery setup is unusual; tell its administrator.",
          { cause: err },
        );
      }
      for (const url of missing)
        others.set(url, (await fetchOk(client, url, "*/*", "fetch-xrds")).body);
    }
  }
}

function fromXrdsError(err: XrdsError, xrdsUrl: string): DiscoveryError {
  switch (err.code) {
    case "no-entry-xrd":
    case "missing-service":
    case "missing-localid":
      return new DiscoveryError(
        "missing-services",
        xrdsUrl,
        `The XRDS document ${xrdsUrl} does not advertise everything an OpenMicroBlogging subscription needs: ` +
          `${withoutFinalStop(err.message)}. That service may not support OMB 0.1 remote subscriptions.`,
        { cause: err },
      );
    default:
      return new DiscoveryError(
        "bad-xrds",
        xrdsUrl,
        `The XRDS discovery document ${xrdsUrl} cannot be read: ${withoutFinalStop(err.message)}. Its service is misconfigured; tell its administrator.`,
        { cause: err },
      );
  }
}

/** Lets a quoted message end in the middle of our sentence. */
function withoutFinalStop(message: string): string {
  return message.replace(/\.+$/, "");
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

const XRDS_CAP: BodyCap = {
  maxBytes: XRDS_LIMITS.maxBytes,
  advice: "A real XRDS document is about 3 KB, so this one is refused.",
};
/**
 * An XRDS is ~3 KB: its cap stops a huge one while it downloads, also when it is the
 * profile URL's answer (content negotiation). Of any other profile answer only what the
 * head scan can read is kept (locateXrds says so when that was not enough).
 */
const BODY_CAPS: Record<"fetch-profile" | "fetch-xrds", BodyCap[]> = {
  "fetch-profile": [
    { ...XRDS_CAP, types: [XRDS_CONTENT_TYPE] },
    { maxBytes: HEAD_LIMITS.maxBytes, advice: "", truncate: true },
  ],
  "fetch-xrds": [XRDS_CAP],
};

/** GET with redirects; anything but 200/206 fails as `step`, saying what went wrong. */
async function fetchOk(
  client: HttpClient,
  url: string,
  accept: string,
  step: "fetch-profile" | "fetch-xrds",
): Promise<HttpResponse> {
  const what = step === "fetch-profile" ? "Your profile page" : "The XRDS discovery document";
  const advice =
    step === "fetch-profile"
      ? "Check the address of your profile and try again."
      : "Your service may be down or misconfigured; try again later.";
  let res: HttpResponse;
  try {
    res = await client.get(url, { Accept: accept }, { bodyCaps: BODY_CAPS[step] });
  } catch (err) {
    if (!(err instanceof FetchError)) throw err;
    const reason = withoutFinalStop(err.message);
    throw new DiscoveryError(step, url, `${what} could not be loaded: ${reason}. ${advice}`, {
      cause: err,
    });
  }
  if (res.status !== 200 && res.status !== 206) {
    throw new DiscoveryError(
      step,
      res.url,
      `${what} ${res.url} answered HTTP ${res.status} instead of 200. ${advice}`,
    );
  }
  return res;
}
