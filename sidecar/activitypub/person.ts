/**
 * The site's actor as a Person, built from the site's profile and the config: what the actor
 * endpoint serves and what an Update(Person) carries, from one function. Its URLs come from
 * the contract's paths and its key objects follow Fedify's naming (`#main-key`,
 * `#multikey-1`), so the document is the same whether Fedify or the transport asks for it.
 */
import type { webcrypto } from "node:crypto";
import { CryptographicKey, Endpoints, Image, Multikey, Person, PropertyValue } from "@fedify/vocab";
import { apUrl } from "../../contract/activitypub-paths.js";
import { actorId } from "../../protocol/activitypub/post-object.js";
import type { Config } from "../config.js";
import type { SiteProfile } from "../store/types.js";
import { html } from "../web/page.js";

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

/** The id of the actor's RSA key: what our signatures name as keyId. */
export function mainKeyId(actor: URL): URL {
  return new URL("#main-key", actor);
}

/** The actor's public key in both forms receivers read (publicKey and assertionMethod). */
export function actorKeys(actor: URL, publicKey: webcrypto.CryptoKey) {
  return {
    cryptographicKey: new CryptographicKey({ id: mainKeyId(actor), owner: actor, publicKey }),
    multikey: new Multikey({ id: new URL("#multikey-1", actor), controller: actor, publicKey }),
  };
}

export interface PersonInput {
  config: Pick<Config, "publicUrl" | "activitypub">;
  nickname: string;
  profile: SiteProfile;
  keys: ReturnType<typeof actorKeys>[];
  /** Only what verifying our signatures needs (secure mode, unsigned GET). */
  keyOnly?: boolean;
}

export function sitePerson({ config, nickname, profile, keys, keyOnly }: PersonInput): Person {
  const ap = config.activitypub;
  const url = (path: "inbox" | "outbox" | "followers" | "following") =>
    new URL(apUrl(config.publicUrl, path, { identifier: nickname }));
  const base = {
    id: actorId({ sidecarUrl: config.publicUrl, nickname }),
    preferredUsername: nickname,
    inbox: url("inbox"),
    outbox: url("outbox"),
    endpoints: new Endpoints({ sharedInbox: new URL(apUrl(config.publicUrl, "sharedInbox")) }),
    publicKey: keys[0]?.cryptographicKey ?? null,
    assertionMethods: keys.map((k) => k.multikey),
  };
  if (keyOnly) return new Person(base);
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
    followers: url("followers"),
    following: url("following"),
    manuallyApprovesFollowers: ap.manuallyApprovesFollowers,
    discoverable: ap.discoverable,
    indexable: ap.indexable,
    aliases: ap.alsoKnownAs.map((u) => new URL(u)),
    attachments,
  });
}
