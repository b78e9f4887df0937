/**
 * The undici connector behind every outbound connection: it resolves the host once, vets
 * every address with the policy and connects to the vetted IP itself. Checking at connect
 * time (not before the request) covers redirects and keep-alive pools alike, and a DNS
 * answer that changes between check and connect cannot slip through: there is no second
 * lookup.
 */
import type dns from "node:dns";
import { isIP } from "node:net";
import type { ConnectionOptions } from "node:tls";
import { buildConnector } from "undici";
import { parseHostLiteral } from "./address-policy.js";

/** `dns.lookup` with `{ all: true }`; injectable so tests can play a hostile resolver. */
export type LookupFunction = (
  hostname: string,
  options: dns.LookupAllOptions,
  callback: (err: NodeJS.ErrnoException | null, addresses: dns.LookupAddress[]) => void,
) => void;

/** Returns why an IP address must not be connected to, or null to allow it. */
export type AddressPolicy = (ip: string) => string | null;

/** Thrown by the connector; HttpClient turns it into a FetchError naming the URL. */
export class ForbiddenAddressError extends Error {
  readonly code = "ERR_FORBIDDEN_ADDRESS";
  constructor(
    readonly hostname: string,
    readonly address: string,
    readonly reason: string,
  ) {
    super(`${hostname} resolves to ${address} (${reason})`);
    this.name = "ForbiddenAddressError";
  }
}

export interface GuardedConnectorOptions {
  policy: AddressPolicy;
  lookup: LookupFunction;
  connectTimeoutMs: number;
  /** Extra TLS options (e.g. a test CA); hostname checks still use the original name. */
  tls?: ConnectionOptions;
}

/** A host with several addresses is tried in resolver order, up to this many. */
const MAX_ADDRESSES_TRIED = 3;

export function guardedConnector(opts: GuardedConnectorOptions): buildConnector.connector {
  const base = buildConnector({ timeout: opts.connectTimeoutMs, ...opts.tls });
  return (options, callback) => {
    vetHost(options.hostname, opts, (err, addresses) => {
      if (err) {
        callback(err, null);
        return;
      }
      // SNI and certificate checks must use the name the URL gave, not the IP we dial.
      const servername =
        options.servername || (isIP(options.hostname) ? undefined : options.hostname);
      const attempt = (index: number) => {
        const address = addresses[index] as string;
        base({ ...options, hostname: address, servername }, (connectErr, socket) => {
          if (connectErr && index + 1 < addresses.length) attempt(index + 1);
          else if (connectErr) callback(connectErr, null);
          else callback(null, socket as NonNullable<typeof socket>);
        });
      };
      attempt(0);
    });
  };
}

/** Every address of the host, or an error if there is none or any one is forbidden. */
function vetHost(
  hostname: string,
  opts: GuardedConnectorOptions,
  done: (err: Error | null, addresses: string[]) => void,
): void {
  const literal = parseHostLiteral(hostname);
  if (literal !== null) {
    const reason = opts.policy(literal);
    done(reason === null ? null : new ForbiddenAddressError(hostname, literal, reason), [literal]);
    return;
  }
  // The OS resolver can hang far longer than our limits; the connect timeout covers it too.
  let settled = false;
  const timer = setTimeout(() => {
    settled = true;
    const message = `DNS lookup of ${hostname} took longer than ${opts.connectTimeoutMs} ms`;
    done(Object.assign(new Error(message), { code: "ERR_DNS_TIMEOUT" }), []);
  }, opts.connectTimeoutMs);
  opts.lookup(hostname, { all: true }, (err, answers) => {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    if (err) {
      done(err, []);
      return;
    }
    if (answers.length === 0) {
      done(Object.assign(new Error(`no address for ${hostname}`), { code: "ENOTFOUND" }), []);
      return;
    }
    // One forbidden answer refuses the whole name: a public host has no reason to list a
    // private address, and picking the "good" one would let an attacker race the rest.
    for (const { address } of answers) {
      const reason = opts.policy(address);
      if (reason !== null) {
        done(new ForbiddenAddressError(hostname, address, reason), []);
        return;
      }
    }
    done(
      null,
      answers.slice(0, MAX_ADDRESSES_TRIED).map((a) => a.address),
    );
  });
}
