import type { DiscoveryMode, LocalUser } from "./types.js";

/**
 * The documents a libomb listener serves for discovery, as in the captures
 * (omb-captures/alice-8001-wire.txt): the profile page and the XRDS, written by hand here
 * (not with protocol/omb/xrds.ts) so that the product's reader is tested against an outside shape.
 */

const DEFAULT_LICENSE = "http://creativecommons.org/licenses/by/3.0/";

/** Users `alice,bob` → ids 1, 2; the first is like the captured alice, the rest fill every field. */
export function makeUsers(base: string, nicknames: string[]): LocalUser[] {
  return nicknames.map((nickname, i) => {
    const full = i === 0;
    return {
      id: i + 1,
      nickname,
      uri: `${base}/user/${i + 1}`,
      profile: `${base}/${nickname}`,
      fullname: `${nickname.charAt(0).toUpperCase()}${nickname.slice(1)} Example`,
      license: DEFAULT_LICENSE,
      homepage: full ? "" : `${base}/${nickname}/home`,
      bio: full ? "" : `I am ${nickname}, a reference listener.`,
      location: full ? "" : "Loopback",
      avatar: "",
    };
  });
}

export function profilePage(user: LocalUser, xrdsUrl: string | null): string {
  const meta = xrdsUrl
    ? `\n<meta http-equiv="X-XRDS-Location" content="${escapeAttr(xrdsUrl)}"/>`
    : "";
  return `<!DOCTYPE html>
<html><head><title>${user.nickname}</title>${meta}
</head><body>
<div class="vcard"><a class="url uid" href="${escapeAttr(user.uri)}">${user.nickname}</a> <span class="fn">${escapeAttr(user.fullname)}</span></div>
</body></html>
`;
}

const OAUTH_PARAM_TYPES = `
   <Type>http://oauth.net/core/1.0/parameters/auth-header</Type>
   <Type>http://oauth.net/core/1.0/parameters/post-body</Type>
   <Type>http://oauth.net/core/1.0/signature/HMAC-SHA1</Type>`;

/** libomb's XRDS: Type before URI, three XRDs, the entry XRD last. */
export function xrdsDocument(base: string, user: LocalUser, mode: DiscoveryMode): string {
  const postNotice =
    mode === "missing-services"
      ? ""
      : `
  <Service>
   <Type>http://openmicroblogging.org/protocol/0.1/postNotice</Type>
   <URI>${base}/postnotice</URI>
  </Service>`;
  return `<?xml version="1.0" encoding="UTF-8"?>
<XRDS xmlns="xri://$xrds">
 <XRD xmlns="xri://$xrd*($v*2.0)" xml:id="oauth" xmlns:simple="http://xrds-simple.net/core/1.0" version="2.0">
  <Type>xri://$xrds*simple</Type>
  <Service>
   <Type>http://oauth.net/core/1.0/endpoint/request</Type>
   <URI>${base}/requesttoken</URI>${OAUTH_PARAM_TYPES}
   <LocalID>${user.uri}</LocalID>
  </Service>
  <Service>
   <Type>http://oauth.net/core/1.0/endpoint/authorize</Type>
   <URI>${base}/userauthorization</URI>${OAUTH_PARAM_TYPES}
  </Service>
  <Service>
   <Type>http://oauth.net/core/1.0/endpoint/access</Type>
   <URI>${base}/accesstoken</URI>${OAUTH_PARAM_TYPES}
  </Service>
  <Service>
   <Type>http://oauth.net/core/1.0/endpoint/resource</Type>${OAUTH_PARAM_TYPES}
  </Service>
 </XRD>
 <XRD xmlns="xri://$xrd*($v*2.0)" xml:id="omb" xmlns:simple="http://xrds-simple.net/core/1.0" version="2.0">
  <Type>xri://$xrds*simple</Type>${postNotice}
  <Service>
   <Type>http://openmicroblogging.org/protocol/0.1/updateProfile</Type>
   <URI>${base}/updateprofile</URI>
  </Service>
 </XRD>
 <XRD xmlns="xri://$xrd*($v*2.0)" version="2.0">
  <Type>xri://$xrds*simple</Type>
  <Service>
   <Type>http://oauth.net/discovery/1.0</Type>
   <URI>#oauth</URI>
  </Service>
  <Service>
   <Type>http://openmicroblogging.org/protocol/0.1</Type>
   <URI>#omb</URI>
  </Service>
 </XRD>
</XRDS>
`;
}

function escapeAttr(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
