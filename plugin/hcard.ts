/** The `federationProfile` shortcode: the author's profile as an hCard, every value escaped. */
import escapeHtml from "escape-html";
import type { ResolvedProfile } from "./options.js";

/**
 * The `federationProfile` shortcode: the author's profile as an hCard (classic microformats,
 * which Laconica-era tools read, plus the microformats2 names). Every value is escaped.
 */
export function renderHCard(profile: ResolvedProfile, siteUrl: string): string {
  const e = escapeHtml;
  const lines = ['<div class="vcard h-card federation-profile">'];
  if (profile.avatar !== "") {
    lines.push(
      `  <img class="photo u-photo" src="${e(profile.avatar)}" alt="" width="96" height="96">`,
    );
  }
  const name = profile.fullname !== "" ? profile.fullname : profile.nickname;
  lines.push(
    `  <a class="url uid u-url u-uid" rel="me" href="${e(siteUrl)}"><span class="fn p-name">${e(name)}</span></a>`,
    `  <span class="nickname p-nickname">${e(profile.nickname)}</span>`,
  );
  if (profile.bio !== "") lines.push(`  <p class="note p-note">${e(profile.bio)}</p>`);
  if (profile.location !== "") {
    lines.push(
      `  <p class="adr p-adr h-adr"><span class="locality p-locality">${e(profile.location)}</span></p>`,
    );
  }
  if (profile.homepage !== "" && profile.homepage !== siteUrl) {
    lines.push(
      `  <a class="url u-url" rel="me" href="${e(profile.homepage)}">${e(profile.homepage)}</a>`,
    );
  }
  lines.push("</div>");
  return lines.join("\n");
}
