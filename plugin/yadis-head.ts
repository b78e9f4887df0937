/** The home page's Yadis discovery tags (X-XRDS-Location, OpenID delegation), and how tags go into a head. */
import escapeHtml from "escape-html";

export interface YadisHeadOptions {
  /** Absolute URL of the site's XRDS document. */
  xrdsUrl: string;
  /** OpenID 1.x delegation, when the author wants the site URL to log them in elsewhere. */
  openid: { server: string; delegate: string } | null;
}

/** The tags discovery needs in the home page's head (OMB.md §2: Yadis via the meta tag). */
export function yadisHeadTags({ xrdsUrl, openid }: YadisHeadOptions): string {
  const tags = [`<meta http-equiv="X-XRDS-Location" content="${escapeHtml(xrdsUrl)}">`];
  if (openid) {
    tags.push(`<link rel="openid.server" href="${escapeHtml(openid.server)}">`);
    if (openid.delegate !== "") {
      tags.push(`<link rel="openid.delegate" href="${escapeHtml(openid.delegate)}">`);
    }
  }
  return tags.join("\n");
}

/**
 * Puts the tags at the end of the page's head. Returns null when the page has no head to put
 * them in; leaves a page alone that already names an XRDS location (the author did it by hand).
 */
export function injectYadisHead(html: string, tags: string): string | null {
  if (/<meta[^>]+http-equiv=["']?x-xrds-location/i.test(html)) return html;
  return insertIntoHead(html, tags);
}

/** `tags` at the end of the page's head (or right after its opening tag); null without a head. */
export function insertIntoHead(html: string, tags: string): string | null {
  const close = html.search(/<\/head\s*>/i);
  if (close !== -1) return `${html.slice(0, close)}${tags}\n${html.slice(close)}`;
  const open = /<head\b[^>]*>/i.exec(html);
  if (open) {
    const at = open.index + open[0].length;
    return `${html.slice(0, at)}\n${tags}${html.slice(at)}`;
  }
  return null;
}
