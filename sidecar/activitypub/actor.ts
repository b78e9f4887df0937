/**
 * The site's actor: a Person built from the manifest's profile and the config, its key
 * pair, and how WebFinger finds it (`acct:nick@site-host`, `acct:nick@sidecar-host`, the
 * profile URL). Fedify serves it as application/activity+json.
 */
import type { Federation, RequestContext } from "@fedify/fedify";
import { Endpoints, Image, Person, PropertyValue } from "@fedify/vocab";
import type { Context } from "../context.js";
import type { SiteProfile } from "../store/types.js";
import { html } from "../web/page.js";
import { actorKeyPair } from "./actor-key.js";
import type { ApUrls } from "./urls.js";

/** The site's nickname when `identifier` names its actor, else null. */
export async function siteActor(
  ctx: Context,
  identifier: string,
): Promise<{ nickname: string; profile: SiteProfile } | null> {
  const profile = await ctx.siteProfile.cached();
  return profile && profile.nickname === identifier ? { nickname: identifier, profile } : null;
}

function absoluteUrl(s: string): URL | null {
  return /^https?:\/\//i.test(s) && URL.canParse(s) ? new URL(s) : null;
}

/** A profile link as Mastodon shows it: a PropertyValue whose HTML links with rel="me". */
function linkField(name: string, url: URL): PropertyValue {
  const text = (url.host + url.pathname).replace(/\/$/, "");
  const value = html`<a href="${url.href}" rel="me nofollow noopener noreferrer" target="_blank">${text}</a>`;
  return new PropertyValue({ name, value: value.toString() });
}

/** The bio as HTML: it is plain text in the manifest, so escaped, with its line breaks kept. */
export function summaryHtml(bio: string): string | null {
  const paragraphs = bio
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter(Boolean);
  if (paragraphs.length === 0) return null;
  return paragraphs.map((p) => html`<p>${p}</p>`.toString().replaceAll("\n", "<br>")).join("");
}

async function buildPerson(
  ctx: Context,
  fctx: RequestContext<void>,
  nickname: string,
  profile: SiteProfile,
  urls: ApUrls,
): Promise<Person> {
  const ap = ctx.config.activitypub;
  const keys = await fctx.getActorKeyPairs(nickname);
  const base = {
    id: fctx.getActorUri(nickname),
    preferredUsername: nickname,
    inbox: fctx.getInboxUri(nickname),
    outbox: new URL(urls.webOrigin + urls.template("outbox").replace("{identifier}", nickname)),
    endpoints: new Endpoints({ sharedInbox: fctx.getInboxUri() }),
    publicKey: keys[0]?.cryptographicKey ?? null,
    assertionMethods: keys.map((k) => k.multikey),
  };
  // Secure mode: an unsigned GET gets only what verifying our signatures needs (the key),
  // as Mastodon's authorized-fetch mode does; everything else needs a signed GET.
  if (ap.secureMode && !(await fctx.getSignedKey())) return new Person(base);
  const site = absoluteUrl(profile.profile);
  const homepage = absoluteUrl(profile.homepage);
  const avatar = absoluteUrl(profile.avatar);
  const attachments = [
    ...(site ? [linkField("Website", site)] : []),
    ...(homepage && homepage.href !== site?.href ? [linkField("Homepage", homepage)] : []),
  ];
  return new Person({
    ...base,
    name: profile.fullname || nickname,
    summary: summaryHtml(profile.bio),
    url: site,
    icon: avatar ? new Image({ url: avatar }) : null,
    followers: fctx.getFollowersUri(nickname),
    following: fctx.getFollowingUri(nickname),
    manuallyApprovesFollowers: ap.manuallyApprovesFollowers,
    discoverable: ap.discoverable,
    indexable: ap.indexable,
    aliases: ap.alsoKnownAs.map((u) => new URL(u)),
    attachments,
  });
}

/** Registers the actor, its keys and its WebFinger mapping on `federation`. */
export function registerActor(federation: Federation<void>, ctx: Context, urls: ApUrls): void {
  federation
    .setActorDispatcher(urls.template("actor") as "{identifier}", async (fctx, identifier) => {
      const site = await siteActor(ctx, identifier);
      return site ? buildPerson(ctx, fctx, site.nickname, site.profile, urls) : null;
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
