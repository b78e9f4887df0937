/**
 * The site-as-listener endpoints fuzzed over HTTP (request token, authorize page and its
 * Accept/Reject, access token, postNotice, updateProfile): for each, a mix of malformed
 * requests of every shape (test/fuzz/http/endpoints.ts) and correctly signed ones carrying
 * random or broken field values (signed.ts), and after the batch a check that the store
 * only changed by what the accepted requests wrote.
 */
import fc from "fast-check";
import { SIDECAR_PATHS } from "../../../contract/public-paths.js";
import {
  OMB,
  OMB_SUCCESS_BODY,
  OMB_VERSION,
  PROFILE_FIELDS,
} from "../../../protocol/omb/constants.js";
import { CC_BY } from "../../helpers/remote-listenee.js";
import type { Params } from "../../helpers/remote-listenee-oauth.js";
import { keysIn, unexpectedTables } from "./journal.js";
import { paramValue } from "./param-values.js";
import type { ProviderWorld } from "./provider-world.js";
import type { FuzzRequest } from "./sender.js";
import {
  cookieFor,
  cookieKind,
  fieldsOf,
  garbage,
  junkCookie,
  signed,
  value,
  type WorldEndpoint,
  wireForm,
  writesMatch,
} from "./world-cases.js";

const version = fc.constant(OMB_VERSION);
const BY_NC_ND = "http://creativecommons.org/licenses/by-nc-nd/3.0/";
/** Listenees the fuzzer asks the owner to follow: never the author the world follows. */
const fakeListenee = fc.nat(999).map((n) => `http://listenee.example/fz/${n}`);

/** The query of an authorize request, for a pool token or not, fields right or not. */
function authorizeQuery(world: ProviderWorld): fc.Arbitrary<{ query: string; pooled: boolean }> {
  const token = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...world.pool.map((t) => t.token)) },
    paramValue,
  );
  return fc
    .record({
      token,
      fields: fieldsOf({
        [OMB.version]: version,
        [OMB.listener]: fc.constant(world.target.url),
        [OMB.listenee]: fakeListenee,
        omb_listenee_profile: fakeListenee.map((u) => `${u}/profile`),
        omb_listenee_nickname: fc.stringMatching(/^[a-z0-9]{1,12}$/),
        omb_listenee_license: fc.constant(CC_BY),
        omb_listenee_fullname: fc.constant("Fuzzy"),
        oauth_callback: fc.constant("http://listenee.example/callback"),
      }),
    })
    .map(({ token, fields }) => ({
      query: wireForm({ ...fields, oauth_token: token }),
      pooled: world.pool.some((t) => t.token === token),
    }));
}

const pushCreds = (world: ProviderWorld) =>
  fc.oneof(
    {
      weight: 8,
      arbitrary: fc.constant({
        creds: {
          consumerKey: world.remote.root,
          token: world.access.token,
          tokenSecret: world.access.secret,
        },
        valid: true,
      }),
    },
    fc.constant({
      creds: {
        consumerKey: world.remote.root,
        token: world.pool[0]?.token ?? "x",
        tokenSecret: "",
      },
      valid: false,
    }),
    paramValue.map((t) => ({
      creds: { consumerKey: world.remote.root, token: t, tokenSecret: "" },
      valid: false,
    })),
  );

export function providerEndpoints(world: ProviderWorld): WorldEndpoint[] {
  const root = world.remote.root;
  const notice = fc.nat().map((n) => `${root}notice/fz-${n}`);
  return [
    {
      name: `POST ${SIDECAR_PATHS.requestToken}`,
      cases: () =>
        fc.oneof(
          garbage(SIDECAR_PATHS.requestToken, [OMB.listener, OMB.version, "oauth_consumer_key"]),
          signed(
            world,
            SIDECAR_PATHS.requestToken,
            fieldsOf({
              [OMB.listener]: fc.constant(world.target.url),
              [OMB.version]: version,
            }),
            fc
              .oneof(
                { weight: 4, arbitrary: fc.constant(root) },
                paramValue.filter((k) => k.trim() !== ""),
              )
              .map((consumerKey) => ({ creds: { consumerKey, tokenSecret: "" }, valid: true })),
          ),
        ),
      checkWrites: writesMatch("requestTokens", ["nonces", "requestTokens"], (s) => s === 200),
    },
    {
      name: `GET ${SIDECAR_PATHS.authorize} (the page)`,
      cases: () =>
        fc.oneof(
          garbage(SIDECAR_PATHS.authorize, ["oauth_token", OMB.version, OMB.listenee]),
          fc.tuple(authorizeQuery(world), cookieKind, junkCookie).map(([q, kind, junk]) => () => {
            const cookie = cookieFor(world, kind, junk);
            const req: FuzzRequest = {
              method: "GET",
              path: `${SIDECAR_PATHS.authorize}?${q.query}`,
              headers: cookie ? ["cookie", cookie] : [],
            };
            // 303 to the login page for a visitor, the page itself for the owner
            return {
              request: req,
              mayServe: (s: number) => q.pooled && (s === 303 || (s === 200 && kind === "owner")),
            };
          }),
        ),
      checkWrites: (w) => (w.lines === 0 ? null : `${w.lines} store writes`),
    },
    {
      name: `POST ${SIDECAR_PATHS.postNotice}`,
      cases: () =>
        fc.oneof(
          {
            weight: 1,
            arbitrary: garbage(SIDECAR_PATHS.postNotice, [
              OMB.notice,
              OMB.noticeContent,
              OMB.listenee,
            ]),
          },
          {
            weight: 3,
            arbitrary: signed(
              world,
              SIDECAR_PATHS.postNotice,
              fieldsOf({
                [OMB.version]: version,
                [OMB.listenee]: fc.constant(world.remote.profile.uri),
                [OMB.notice]: notice,
                [OMB.noticeUrl]: notice,
                [OMB.noticeContent]: fc.string({ minLength: 1, maxLength: 140 }),
                // (by-nc-nd cannot be republished under the site's CC BY: a 400)
                [OMB.noticeLicense]: fc.constantFrom(CC_BY, CC_BY, CC_BY, BY_NC_ND),
                [OMB.seealso]: notice,
                [OMB.seealsoDisposition]: fc.constantFrom("link", "inline"),
                [OMB.seealsoMediatype]: fc.constantFrom("image/png", "text/html"),
              }),
              pushCreds(world),
              (p) => p[OMB.notice],
              (res) =>
                res.status === 200 && !res.body.includes(OMB_SUCCESS_BODY)
                  ? `200 without the OMB success body: ${res.body.slice(0, 100)}`
                  : null,
            ),
          },
        ),
      checkWrites: (w, answered) => {
        const stray = unexpectedTables(w, ["nonces", "inbox"]);
        if (stray.length > 0) return `wrote to ${stray.join(", ")}`;
        const accepted = new Set(
          answered.filter((a) => a.status === 200).map((a) => a.built.writes),
        );
        const wrong = keysIn(w, "inbox").filter((uri) => !accepted.has(uri));
        return wrong.length === 0
          ? null
          : `inbox got notices never accepted: ${wrong.slice(0, 3).join(", ")}`;
      },
    },
    {
      name: `POST ${SIDECAR_PATHS.updateProfile}`,
      cases: () => {
        const profile: Record<string, fc.Arbitrary<string>> = {
          [OMB.version]: version,
          [OMB.listenee]: fc.constant(world.remote.profile.uri),
        };
        for (const f of PROFILE_FIELDS) {
          profile[`omb_listenee_${f}`] =
            f === "license"
              ? fc.constant(CC_BY)
              : f === "nickname"
                ? fc.stringMatching(/^[a-z0-9]{1,12}$/)
                : f === "profile" || f === "homepage" || f === "avatar"
                  ? fc.constant(`${root}fz/${f}`)
                  : fc.string({ maxLength: 40 });
        }
        return fc.oneof(
          { weight: 1, arbitrary: garbage(SIDECAR_PATHS.updateProfile, Object.keys(profile)) },
          {
            weight: 3,
            arbitrary: signed(
              world,
              SIDECAR_PATHS.updateProfile,
              fieldsOf(profile),
              pushCreds(world),
            ),
          },
        );
      },
      checkWrites: writesMatch("followed", ["nonces", "followed"], (s) => s === 200),
    },
    {
      name: `POST ${SIDECAR_PATHS.authorize} (Accept/Reject)`,
      cases: () =>
        fc.oneof(
          garbage(SIDECAR_PATHS.authorize, ["csrf", "request", "decision"]),
          fc
            .tuple(
              authorizeQuery(world),
              cookieKind,
              fc.constantFrom("owner", "owner", "visitor", "random", "missing"),
              value(fc.constantFrom("accept", "reject")),
              junkCookie,
            )
            .map(([q, kind, csrfKind, decision, junk]) => () => {
              const cookie = cookieFor(world, kind, junk);
              const csrf =
                csrfKind === "owner"
                  ? world.owner.csrf
                  : csrfKind === "visitor"
                    ? world.visitor.csrf
                    : junk;
              const form: Params = { request: q.query, decision };
              if (csrfKind !== "missing") form.csrf = csrf;
              const req: FuzzRequest = {
                method: "POST",
                path: SIDECAR_PATHS.authorize,
                headers: [
                  "content-type",
                  "application/x-www-form-urlencoded",
                  ...(cookie ? ["cookie", cookie] : []),
                ],
                body: Buffer.from(wireForm(form)),
              };
              const owner = kind === "owner" && csrfKind === "owner";
              return { request: req, mayServe: (s: number) => owner && q.pooled && s === 303 };
            }),
        ),
      checkWrites: writesMatch("requestTokens", ["requestTokens"], (s) => s === 303),
    },
    {
      name: `POST ${SIDECAR_PATHS.access}`,
      cases: () =>
        fc.oneof(
          garbage(SIDECAR_PATHS.access, ["oauth_token", OMB.version]),
          signed(
            world,
            SIDECAR_PATHS.access,
            fieldsOf({ [OMB.version]: version }),
            fc
              .oneof(
                { weight: 4, arbitrary: fc.constantFrom(...world.pool) },
                paramValue.map((token) => ({ token, secret: "" })),
              )
              .map((t) => ({
                creds: { consumerKey: root, token: t.token, tokenSecret: t.secret },
                valid: world.pool.some((p) => p.token === t.token),
              })),
          ),
        ),
      checkWrites: writesMatch(
        "followed",
        ["nonces", "requestTokens", "accessTokens", "followed"],
        (s) => s === 200,
      ),
    },
  ];
}
