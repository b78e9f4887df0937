/**
 * The deploy hook, the signed command endpoint and the owner's pages, fuzzed: hook bodies
 * signed right, with another secret, stale, malformed or replayed; owner forms with the
 * owner's, a visitor's, a forged or no cookie, right or wrong CSRF tokens and passwords.
 * None of them may write to the store but for what an accepted request does.
 */
import fc from "fast-check";
import { SIDECAR_PATHS } from "../../../contract/public-paths.js";
import { OWNER_PATHS } from "../../../sidecar/auth/owner.js";
import { INBOX_JSON_SIGNED_TEXT } from "../../../sidecar/inbox/export.js";
import { PASSWORD } from "../../helpers/remote-listenee-flow.js";
import type { Params } from "../../helpers/remote-listenee-oauth.js";
import { hostileText } from "../property.js";
import { hookEndpoint, hookHeaders, signKind } from "./hook-endpoints.js";
import { keysIn, unexpectedTables } from "./journal.js";
import { paramValue } from "./param-values.js";
import type { ProviderWorld } from "./provider-world.js";
import type { FuzzRequest } from "./sender.js";
import {
  type Built,
  cookieFor,
  cookieKind,
  garbage,
  junkCookie,
  type WorldEndpoint,
  wireForm,
} from "./world-cases.js";

const noWrites: WorldEndpoint["checkWrites"] = (w) =>
  w.lines === 0 ? null : `${w.lines} store writes`;

/** A login is kept in the store: one session entry per accepted login (303), nothing else. */
const loginWrites: WorldEndpoint["checkWrites"] = (w, answered) => {
  const stray = unexpectedTables(w, ["kv"]);
  if (stray.length > 0) return `wrote to ${stray.join(", ")}`;
  const keys = keysIn(w, "kv");
  const other = keys.find((k) => !k.startsWith("owner-session:"));
  if (other) return `wrote kv ${other}`;
  const logins = answered.filter((a) => a.built.request.method === "POST" && a.status === 303);
  return keys.length <= logins.length
    ? null
    : `${keys.length} sessions for ${logins.length} logins`;
};

/** An owner form POST to `path` with cookie and CSRF token of every kind. */
function ownerForm(
  world: ProviderWorld,
  path: string,
  fields: fc.Arbitrary<Params>,
  opts: { ownerMayPost: boolean; accepted: (form: Params) => boolean },
): fc.Arbitrary<() => Built> {
  return fc
    .tuple(fields, cookieKind, fc.constantFrom("owner", "visitor", "random", "missing"), junkCookie)
    .filter(([, kind, csrf]) => opts.ownerMayPost || !(kind === "owner" && csrf === "owner"))
    .map(([f, kind, csrfKind, junk]) => (): Built => {
      const cookie = cookieFor(world, kind, junk);
      const form: Params = { ...f };
      if (csrfKind !== "missing") {
        form.csrf =
          csrfKind === "owner"
            ? world.owner.csrf
            : csrfKind === "visitor"
              ? world.visitor.csrf
              : junk;
      }
      const request: FuzzRequest = {
        method: "POST",
        path,
        headers: [
          "content-type",
          "application/x-www-form-urlencoded",
          ...(cookie ? ["cookie", cookie] : []),
        ],
        body: Buffer.from(wireForm(form).replace(/%EF%BF%BD/g, "%ff")),
      };
      const ownCsrf =
        (kind === "owner" && csrfKind === "owner") ||
        (kind === "visitor" && csrfKind === "visitor");
      const served = ownCsrf && opts.accepted({ ...form, kind });
      return { request, mayServe: (s) => served && s === 303 };
    });
}

const safe = (a: fc.Arbitrary<string>) => a.map((s) => s.replace(/\p{Cs}/gu, "\uFFFD"));

export function ownerEndpoints(world: ProviderWorld): WorldEndpoint[] {
  return [
    hookEndpoint("/hooks/deploy", false),
    hookEndpoint(SIDECAR_PATHS.hookCommand, true),
    {
      name: `GET ${OWNER_PATHS.status}`,
      cases: () =>
        fc.oneof(
          garbage(OWNER_PATHS.status, ["x"]).map((b) => () => {
            const built = b();
            const read = built.request.method === "GET" || built.request.method === "HEAD";
            return { ...built, mayServe: (s: number) => built.mayServe(s) || (read && s === 303) };
          }),
          fc.tuple(cookieKind, junkCookie).map(([kind, junk]) => (): Built => {
            const cookie = cookieFor(world, kind, junk);
            const request: FuzzRequest = {
              method: "GET",
              path: OWNER_PATHS.status,
              headers: cookie ? ["cookie", cookie] : [],
            };
            return { request, mayServe: (s) => s === 303 || (kind === "owner" && s === 200) };
          }),
        ),
      checkWrites: noWrites,
    },
    {
      name: `GET and POST ${OWNER_PATHS.login}`,
      cases: () =>
        fc.oneof(
          garbage(OWNER_PATHS.login, ["csrf", "password", "next"]).map((b) => () => {
            const built = b();
            const read = built.request.method === "GET" || built.request.method === "HEAD";
            // 304 too: Express answers If-None-Match: * on a read that way
            return {
              ...built,
              mayServe: (s: number) => built.mayServe(s) || (read && (s === 200 || s === 304)),
            };
          }),
          ownerForm(
            world,
            OWNER_PATHS.login,
            fc.record(
              {
                password: fc.oneof(
                  fc.constant(PASSWORD),
                  safe(hostileText(40)),
                  fc.constant("x".repeat(5000)),
                ),
                next: fc.oneof(fc.constant(`${world.target.url}admin`), safe(paramValue)),
              },
              { requiredKeys: [] },
            ) as fc.Arbitrary<Params>,
            { ownerMayPost: true, accepted: (f) => f.password === PASSWORD },
          ),
        ),
      checkWrites: loginWrites,
    },
    {
      name: `POST ${OWNER_PATHS.logout}`,
      cases: () =>
        fc.oneof(
          garbage(OWNER_PATHS.logout, ["csrf"]),
          // the owner's own logout with the right token would end the session the others use
          ownerForm(world, OWNER_PATHS.logout, fc.constant({}), {
            ownerMayPost: false,
            accepted: () => false,
          }),
        ),
      checkWrites: noWrites,
    },
    {
      name: `POST ${OWNER_PATHS.unfollow}`,
      cases: () =>
        fc.oneof(
          garbage(OWNER_PATHS.unfollow, ["csrf", "uri"]),
          ownerForm(
            world,
            OWNER_PATHS.unfollow,
            fc.record({ uri: safe(paramValue) }, { requiredKeys: [] }) as fc.Arbitrary<Params>,
            { ownerMayPost: true, accepted: (f) => f.kind === "owner" },
          ),
        ),
      // nobody the generated URIs name is followed: an accepted form changes nothing either
      checkWrites: noWrites,
    },
    {
      name: `GET ${OWNER_PATHS.inboxJson}`,
      cases: () =>
        fc.oneof(
          garbage(OWNER_PATHS.inboxJson, ["limit"]),
          fc
            .tuple(
              signKind,
              hostileText(20),
              fc.oneof(
                fc.constant(""),
                fc.integer().map((n) => `?limit=${n}`),
                fc.constant("?limit=abc"),
              ),
            )
            .map(([kind, junk, query]) => (): Built => {
              const { headers, right } = hookHeaders(
                kind === "replay" ? "right" : kind,
                INBOX_JSON_SIGNED_TEXT,
                junk,
              );
              const request: FuzzRequest = {
                method: "GET",
                path: `${OWNER_PATHS.inboxJson}${query}`,
                headers,
              };
              return { request, mayServe: (s) => right && s === 200 };
            }),
        ),
      checkWrites: noWrites,
    },
  ];
}
