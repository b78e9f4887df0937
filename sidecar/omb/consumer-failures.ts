/** The pages a visitor sees when a remote subscribe fails, one per step: what failed, what to do. */
import type { XrdsEndpoints } from "../../protocol/omb/xrds.js";
import { FetchError } from "../net/client.js";
import { PageError } from "../web/errors.js";
import { MAX_REMOTE_URL_BYTES, oversizedUrl, type TokenRefusedError } from "./consumer.js";
import { DiscoveryError, type DiscoveryStep } from "./discovery/yadis.js";

/**
 * The pages a visitor sees when a remote subscribe fails, one per step (issue 3): what
 * failed and what they can do. 400: what they typed; 403: the flow is not theirs or was
 * declined; 502: their service failed us; 503: our own site is not ready.
 */

const TRY_AGAIN = "Start the subscription again from the site's subscribe form.";

export function notAUrl(value: string): PageError {
  return new PageError(
    400,
    "not a URL",
    "That is not a profile URL",
    value === ""
      ? "No profile URL was given."
      : `"${value.slice(0, 300)}" is not an http:// or https:// address.`,
    "Type the full address of your profile page on your own service, e.g. https://identi.ca/yourname.",
  );
}

/** Discovery's own steps, named and judged for the visitor: [step, title, status]. */
const DISCOVERY_PAGES: Record<DiscoveryStep, [string, string, number]> = {
  "not-a-url": ["not a URL", "That is not a profile URL", 400],
  "fetch-profile": ["no Yadis document", "Your profile page could not be loaded", 502],
  "no-yadis": ["no Yadis document", "That page is not an OpenMicroBlogging profile", 400],
  "fetch-xrds": ["no XRDS", "Your service's discovery document could not be loaded", 502],
  "bad-xrds": ["no XRDS", "Your service's discovery document is unreadable", 502],
  "missing-services": ["missing services", "Your service does not offer OMB subscriptions", 502],
};

/** A failed discovery as a page; anything that is not a DiscoveryError is rethrown. */
export function discoveryFailed(err: unknown, profileUrl: string): PageError {
  if (!(err instanceof DiscoveryError)) throw err;
  if (err.cause instanceof FetchError && err.cause.code === "forbidden-address") {
    return new PageError(
      400,
      "address refused",
      "That address cannot be fetched from here",
      `${profileUrl} leads to a private or local network address, which this site never fetches.`,
      "Type the public address of your profile on your own service.",
    );
  }
  const [step, title, status] = DISCOVERY_PAGES[err.step];
  // The message already says what happened and what the visitor can check.
  return new PageError(status, step, title, err.message, TRY_AGAIN);
}

/** Refuses a discovery naming a URL longer than the flow keeps (before anything is stored). */
export function refuseOversized(
  found: { profileUrl: string; endpoints: XrdsEndpoints },
  service: string,
): void {
  const over = oversizedUrl(found);
  if (!over) return;
  throw new PageError(
    502,
    "oversized address",
    `${service} names an address this site does not keep`,
    `Its discovery gives a ${over[0]} address of ${over[1]} bytes; at most ${MAX_REMOTE_URL_BYTES} are kept, as StatusNet did.`,
    "Tell your service's administrator; real OMB services use short addresses.",
  );
}

export function ownSite(what: string): PageError {
  return new PageError(
    400,
    "own site",
    "That profile is this site itself",
    `The profile you gave leads back to this site (${what}); a site cannot subscribe to itself.`,
    "Type the address of your profile on your own OpenMicroBlogging service.",
  );
}

/**
 * The identifier is already subscribed through another service. Subscribers are keyed on
 * the LocalID a service's XRDS names, which anyone can write: without this check a stranger
 * could name a subscriber's identifier and take their subscription over.
 */
export function identifierTaken(uri: string, service: string): PageError {
  return new PageError(
    409,
    "identifier taken",
    "That identity already subscribes through another service",
    `${uri} is already a subscriber, through a different service than ${service}.`,
    "If you moved to a new service, ask the site's owner to remove the old subscription first.",
  );
}

export function profileUnavailable(reason: string): PageError {
  return new PageError(
    503,
    "site profile",
    "This site is not ready to be subscribed to",
    `The site's own profile could not be read: ${reason}`,
    "Try again later; if it persists, tell the site's owner.",
  );
}

export function tokenRefused(err: TokenRefusedError, service: string): PageError {
  const request = err.step === "request token";
  return new PageError(
    502,
    request ? "request token refused" : "access token refused",
    request
      ? `${service} did not start the subscription`
      : `${service} did not confirm the subscription`,
    err.message,
    request
      ? "Check that your account there still exists and that the service is up, then try again."
      : `Try again; if ${service} keeps refusing, its administrators may have disabled remote subscriptions.`,
  );
}

export function callbackMismatch(detail: string): PageError {
  return new PageError(
    403,
    "callback mismatch",
    "This confirmation does not belong to a subscription started here",
    detail,
    `${TRY_AGAIN} Use the same browser from start to end, with cookies allowed for this site.`,
  );
}

export function invalidCallback(service: string, detail: string): PageError {
  return new PageError(
    502,
    "invalid callback",
    `${service} sent back an invalid answer`,
    detail,
    `${TRY_AGAIN} If it happens again, ${service} speaks a dialect of OMB this site cannot read.`,
  );
}

export function declined(service: string): PageError {
  return new PageError(
    403,
    "declined",
    `Subscription declined by ${service}`,
    `${service} sent you back without confirming the subscription (it was rejected there).`,
    `If that was a mistake, ${TRY_AGAIN.toLowerCase()}`,
  );
}

export function tooManyAttempts(): PageError {
  return new PageError(
    429,
    "too many attempts",
    "Too many subscription attempts",
    "This address started many subscriptions in the last minutes.",
    "Wait ten minutes, then try again.",
  );
}

export function attemptTooSlow(service: string, seconds: number): PageError {
  return new PageError(
    504,
    "too slow",
    `${service} took too long to answer`,
    `Starting the subscription with ${service} (its profile page, discovery documents and request token together) took longer than ${seconds} seconds.`,
    "Try again later; if it keeps happening, your service is overloaded or misconfigured.",
  );
}

/** `https://identi.ca/alice` → `identi.ca`: how the visitor knows their service. */
export function serviceName(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return "your service";
  }
}
