/** Checks what the authorize page may say about who asks: the token request's address, and the author's own discovery. */
import dns from "node:dns";
import ipaddr from "ipaddr.js";
import type { OmbProfile } from "../../protocol/omb/profile.js";
import type { Context } from "../context.js";
import { parseHostLiteral } from "../net/address-policy.js";
import type { RequestToken } from "../store/types.js";
import { attemptDeadline } from "./attempt-deadline.js";
import { discoverOmb } from "./discovery/yadis.js";

/**
 * Facts the requester cannot choose. The consumer key and the callback are whatever the
 * asking service wrote (the consumer secret is empty, so anyone can sign as anyone); the
 * address the request-token POST came from is not, nor are the addresses the author's
 * host resolves to, nor what the author's own profile page says.
 */
export interface AskerEvidence {
  /** The address the request-token call came from; undefined for tokens older than this check. */
  address: string | undefined;
  /** The host of the author's identifier, and the addresses it resolved to (empty: it did not). */
  identityHost: string;
  identityAddresses: string[];
  /** The call came from one of those addresses. */
  fromIdentityHost: boolean;
  /** Discovery from the author's profile page: what it found, or why it failed. */
  discovery:
    | { ok: true; namesIdentity: boolean; serviceHost: string; serviceAddresses: string[] }
    | { ok: false; reason: string };
  /** Both checks passed: the call came from the author's host, and their page leads back to it. */
  confirmed: boolean;
}

/** All the checks of one page view together stay under this. */
const EVIDENCE_MS = 5000;
const MAX_ADDRESSES = 16;

type Lookup = (host: string) => Promise<string[]>;

/** The addresses of a host (a literal is its own), normalised; [] when it does not resolve. */
async function resolveHost(host: string, lookup: Lookup): Promise<string[]> {
  const literal = parseHostLiteral(host);
  const found = literal !== null ? [literal] : await lookup(host).catch(() => []);
  return [...new Set(found.slice(0, MAX_ADDRESSES).map(normalise))];
}

/** IPv4-mapped IPv6 (`::ffff:127.0.0.1`) as IPv4, everything in one canonical spelling. */
function normalise(ip: string): string {
  try {
    return ipaddr.process(ip).toString();
  } catch {
    return ip;
  }
}

function hostname(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return "";
  }
}

function sameUrl(a: string, b: string): boolean {
  try {
    return new URL(a).href === new URL(b).href;
  } catch {
    return false;
  }
}

const systemLookup: Lookup = async (host) =>
  (await dns.promises.lookup(host, { all: true })).map((a) => a.address);

/** Rejects after `ms`, so a resolver that hangs cannot hold the page. */
function within<T>(ms: number, run: Promise<T>, fallback: T): Promise<T> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(fallback), ms);
    run.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      () => {
        clearTimeout(timer);
        resolve(fallback);
      },
    );
  });
}

/**
 * Gathers the facts for the owner's page (only after the login: an owner's page view is
 * what makes the sidecar look anything up). Every step is bounded by `EVIDENCE_MS` and a
 * failure is a fact too ("could not be checked"), never an error page.
 */
export async function askerEvidence(
  ctx: Pick<Context, "http">,
  token: RequestToken,
  listenee: OmbProfile,
  lookup: Lookup = systemLookup,
): Promise<AskerEvidence> {
  const resolve = (host: string) => within(EVIDENCE_MS, resolveHost(host, lookup), []);
  const address = token.address === undefined ? undefined : normalise(token.address);
  const identityHost = hostname(listenee.uri);
  const [identityAddresses, discovery] = await Promise.all([
    resolve(identityHost),
    discoverListenee(ctx, listenee, resolve),
  ]);
  const fromIdentityHost = address !== undefined && identityAddresses.includes(address);
  const leadsBack =
    discovery.ok &&
    discovery.namesIdentity &&
    address !== undefined &&
    discovery.serviceAddresses.includes(address);
  return {
    address,
    identityHost,
    identityAddresses,
    fromIdentityHost,
    discovery,
    confirmed: fromIdentityHost && leadsBack,
  };
}

/** Yadis from the author's profile page: its LocalID must be their identifier. */
async function discoverListenee(
  ctx: Pick<Context, "http">,
  listenee: OmbProfile,
  resolve: (host: string) => Promise<string[]>,
): Promise<AskerEvidence["discovery"]> {
  const { http } = attemptDeadline(ctx.http, EVIDENCE_MS);
  try {
    const found = await discoverOmb(http, listenee.profile);
    const serviceHost = hostname(found.endpoints.request);
    return {
      ok: true,
      namesIdentity: sameUrl(found.endpoints.localId, listenee.uri),
      serviceHost,
      serviceAddresses: await resolve(serviceHost),
    };
  } catch (e) {
    return { ok: false, reason: e instanceof Error ? e.message.slice(0, 300) : String(e) };
  }
}
