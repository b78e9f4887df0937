/**
 * The site's actor: a Person built from the manifest's profile and the config, its key
 * pair, and how WebFinger finds it (`acct:nick@site-host`, `acct:nick@sidecar-host`, the
 * profile URL). Fedify serves it as application/activity+json.
 */
import type { Federation, RequestContext } from "@fedify/fedify";
import type { Person } from "@fedify/vocab";
import type { Context } from "../context.js";
import type { SiteProfile } from "../store/types.js";
import { actorKeyPair } from "./actor-key.js";
import { sitePerson } from "./person.js";
import type { ApUrls } from "./urls.js";

/** The site's nickname when `identifier` names its actor, else null. */
export async function siteActor(
  ctx: Context,
  identifier: string,
): Promise<{ nickname: string; profile: SiteProfile } | null> {
  const profile = await ctx.siteProfile.cached();
  return profile && profile.nickname === identifier ? { nickname: identifier, profile } : null;
}

/** The served Person: in secure mode, an unsigned GET gets only the key (as Mastodon's authorized fetch). */
async function servedPerson(
  ctx: Context,
  fctx: RequestContext<void>,
  nickname: string,
  profile: SiteProfile,
): Promise<Person> {
  const keys = await fctx.getActorKeyPairs(nickname);
  const keyOnly = ctx.config.activitypub.secureMode && !(await fctx.getSignedKey());
  return sitePerson({ config: ctx.config, nickname, profile, keys, keyOnly });
}

/** Registers the actor, its keys and its WebFinger mapping on `federation`. */
export function registerActor(federation: Federation<void>, ctx: Context, urls: ApUrls): void {
  federation
    .setActorDispatcher(urls.template("actor") as "{identifier}", async (fctx, identifier) => {
      const site = await siteActor(ctx, identifier);
      return site ? servedPerson(ctx, fctx, site.nickname, site.profile) : null;
    })
    .setKeyPairsDispatcher(async (_fctx, identifier) =>
      (await siteActor(ctx, identifier)) ? [await actorKeyPair(ctx.store)] : [],
    )
    // Handles are case-insensitive on the fediverse (Mastodon lower-cases them).
    .mapHandle(async (_fctx, username) => {
      const nickname = (await ctx.siteProfile.cached())?.nickname;
      return nickname?.toLowerCase() === username.toLowerCase() ? nickname : null;
    })
    .mapAlias(async (_fctx, resource) => {
      const profile = await ctx.siteProfile.cached();
      if (!profile) return null;
      const same = (a: string, b: string) => a.replace(/\/+$/, "") === b.replace(/\/+$/, "");
      return same(resource.href, profile.profile) || same(resource.href, ctx.config.siteUrl)
        ? { identifier: profile.nickname }
        : null;
    });
}
