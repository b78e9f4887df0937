/** The `federationProfile` shortcode: the author's profile as an hCard, every value escaped. */
import escapeHtml from "escape-html";
import type { ResolvedProfile } from "./options.js";
import type { ResolvedWidgetOptions } from "./widgets-options.js";

/**
 * The `federationProfile` shortcode: the author's profile as an hCard (classic microformats,
 * which Laconica-era tools read, plus the microformats2 names). Every value is escaped. The
 * `federation-profile-*` classes are for styling (docs/widgets.md); each part is its own
 * element, and the nickname shows as "@nick" after a space, so no two texts run together.
 */
export function renderHCard(
  profile: ResolvedProfile,
  siteUrl: string,
  widgets: Pick<ResolvedWidgetOptions, "transformAvatar"> = { transformAvatar: false },
): string {
  const e = escapeHtml;
  const lines = ['<div class="vcard h-card federation-profile">'];
  if (profile.avatar !== "") {
    // eleventy-img's transform skips an <img> marked eleventy:ignore, and removes the mark.
    const ignore = widgets.transformAvatar ? "" : " eleventy:ignore";
    lines.push(
      `  <img class="photo u-photo federation-profile-photo" src="${e(profile.avatar)}" alt="" width="96" height="96"${ignore}>`,
    );
  }
  const name = profile.fullname !== "" ? profile.fullname : profile.nickname;
  lines.push(
    `  <p class="federation-profile-names"><a class="url uid u-url u-uid federation-profile-name" rel="me" href="${e(siteUrl)}"><span class="fn p-name">${e(name)}</span></a>` +
      ` <span class="federation-profile-nickname">@<span class="nickname p-nickname">${e(profile.nickname)}</span></span></p>`,
  );
  if (profile.bio !== "")
    lines.push(`  <p class="note p-note federation-profile-bio">${e(profile.bio)}</p>`);
  if (profile.location !== "") {
    lines.push(
      `  <p class="adr p-adr h-adr federation-profile-location"><span class="locality p-locality">${e(profile.location)}</span></p>`,
    );
  }
  if (profile.homepage !== "" && profile.homepage !== siteUrl) {
    lines.push(
      `  <p class="federation-profile-homepage"><a class="url u-url" rel="me" href="${e(profile.homepage)}">${e(profile.homepage)}</a></p>`,
    );
  }
  lines.push("</div>");
  return lines.join("\n");
}
