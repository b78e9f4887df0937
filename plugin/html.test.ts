import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { renderHCard } from "./hcard.js";
import { resolveOptions } from "./options.js";
import { renderSubscribeForm } from "./subscribe-form.js";
import { injectYadisHead, yadisHeadTags } from "./yadis-head.js";

const profile = (p: Record<string, string>) =>
  resolveOptions({
    siteUrl: "https://b.example/",
    sidecarUrl: "https://f.example/",
    profile: { nickname: "mira", ...p },
  }).profile;

describe("renderHCard", () => {
  it("marks up the profile as an hCard", () => {
    const html = renderHCard(
      profile({
        fullname: "Mira O",
        bio: "Bikes",
        location: "Lisbon",
        avatar: "https://b.example/a.png",
      }),
      "https://b.example/",
    );
    assert.match(html, /^<div class="vcard h-card federation-profile">/);
    assert.match(
      html,
      /<img class="photo u-photo federation-profile-photo" src="https:\/\/b\.example\/a\.png"/,
    );
    assert.match(
      html,
      /<a class="url uid u-url u-uid federation-profile-name" rel="me" href="https:\/\/b\.example\/"><span class="fn p-name">Mira O<\/span><\/a>/,
    );
    // The microformat's nickname is the bare nickname; the "@" is outside it.
    assert.match(
      html,
      /<span class="federation-profile-nickname">@<span class="nickname p-nickname">mira<\/span><\/span>/,
    );
    assert.match(html, /<p class="note p-note federation-profile-bio">Bikes<\/p>/);
    assert.match(
      html,
      /<p class="adr p-adr h-adr federation-profile-location"><span class="locality p-locality">Lisbon<\/span><\/p>/,
    );
  });

  it("reads as separate words without any CSS: the name, then @nickname", () => {
    const html = renderHCard(
      profile({ fullname: "Alice Example", bio: "Bread", location: "Lisbon" }),
      "https://b.example/",
    );
    const text = html
      .replace(/<[^>]+>/g, "")
      .replace(/\s+/g, " ")
      .trim();
    assert.equal(text, "Alice Example @mira Bread Lisbon");
  });

  it("marks the avatar eleventy:ignore unless image transforms may have it", () => {
    const p = profile({ avatar: "https://b.example/a.png" });
    assert.match(renderHCard(p, "https://b.example/"), /<img [^>]* eleventy:ignore>/);
    const transformed = renderHCard(p, "https://b.example/", { transformAvatar: true });
    assert.match(transformed, /<img [^>]*height="96">/);
    assert.ok(!transformed.includes("eleventy:ignore"), transformed);
  });

  it("shows a script in the bio as text", () => {
    const html = renderHCard(
      profile({
        bio: '<script>alert("x")</script>',
        fullname: 'A "B" & <C>',
        location: "<b>L</b>",
      }),
      "https://b.example/",
    );
    assert.ok(!html.includes("<script>"), html);
    assert.ok(!html.includes("<b>"), html);
    assert.match(html, /&lt;script&gt;alert\(&quot;x&quot;\)&lt;\/script&gt;/);
    assert.match(html, /A &quot;B&quot; &amp; &lt;C&gt;/);
  });

  it("falls back to the nickname and leaves out empty fields", () => {
    const html = renderHCard(profile({}), "https://b.example/");
    assert.match(html, /<span class="fn p-name">mira<\/span>/);
    assert.ok(!/photo|note|adr/.test(html), html);
  });
});

describe("renderSubscribeForm", () => {
  it("posts profile_url and nickname to the sidecar", () => {
    const html = renderSubscribeForm("https://f.example/omb/subscribe", "mira");
    assert.match(html, /<form [^>]*method="post" action="https:\/\/f\.example\/omb\/subscribe">/);
    assert.match(
      html,
      /<input class="federation-subscribe-input" type="text" name="profile_url" required/,
    );
    assert.match(html, /<input type="hidden" name="nickname" value="mira">/);
    assert.match(
      html,
      /<label class="federation-subscribe-label"><span class="federation-subscribe-prompt">Your profile URL or @you@your\.instance</,
    );
    assert.match(html, /<button class="federation-subscribe-button" type="submit">/);
  });

  it("escapes the action", () => {
    assert.match(
      renderSubscribeForm('https://f.example/"><x', "m"),
      /action="https:\/\/f\.example\/&quot;&gt;&lt;x"/,
    );
  });
});

describe("Yadis head", () => {
  const tags = yadisHeadTags({
    xrdsUrl: "https://b.example/xrds.xml",
    openid: { server: "https://id.example/server", delegate: "https://id.example/mira" },
  });

  it("writes the meta tag and the OpenID links", () => {
    assert.equal(
      tags,
      '<meta http-equiv="X-XRDS-Location" content="https://b.example/xrds.xml">\n' +
        '<link rel="openid.server" href="https://id.example/server">\n' +
        '<link rel="openid.delegate" href="https://id.example/mira">',
    );
  });

  it("goes before </head>", () => {
    assert.equal(
      injectYadisHead("<html><HEAD><title>t</title></HEAD><body></body></html>", "<meta x>"),
      "<html><HEAD><title>t</title><meta x>\n</HEAD><body></body></html>",
    );
  });

  it("goes after <head> when the head is not closed", () => {
    assert.equal(
      injectYadisHead('<head lang="en"><title>t</title><body>', "<meta x>"),
      '<head lang="en">\n<meta x><title>t</title><body>',
    );
  });

  it("leaves a page without head, or already tagged, alone", () => {
    assert.equal(injectYadisHead("<p>no head</p>", "<meta x>"), null);
    const tagged = '<head><meta http-equiv="X-XRDS-Location" content="/x"></head>';
    assert.equal(injectYadisHead(tagged, "<meta x>"), tagged);
  });
});
