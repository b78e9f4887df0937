/** The discovery helpers on their own: the handle, where the head tags go, when fallbacks can be written. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  activityPubHeadTags,
  fallbackProblem,
  handle,
  injectActivityPubHead,
} from "./activitypub-discovery.js";

const d = {
  siteUrl: "https://blog.example:8443/",
  sidecarUrl: "https://fed.example/",
  nickname: "mira",
};

describe("ActivityPub discovery helpers", () => {
  it("keeps a non-default port in the handle, as the sidecar's WebFinger does", () => {
    assert.equal(handle(d), "mira@blog.example:8443");
  });

  it("adds the tags at the end of the head", () => {
    const tags = activityPubHeadTags(d);
    const html = injectActivityPubHead(
      "<html><head><title>t</title></head><body></body></html>",
      tags,
    );
    assert.equal(html, `<html><head><title>t</title>${tags}\n</head><body></body></html>`);
  });

  it("leaves a page alone that links an ActivityPub alternate itself, and says when there is no head", () => {
    const own =
      '<html><head><link rel="alternate" type="application/activity+json" href="https://x.example/u"></head></html>';
    assert.equal(injectActivityPubHead(own, activityPubHeadTags(d)), own);
    assert.equal(injectActivityPubHead("<p>no head</p>", activityPubHeadTags(d)), null);
  });

  it("writes fallbacks only for a site at its host's root", () => {
    assert.equal(fallbackProblem(d), null);
    assert.match(
      fallbackProblem({ ...d, siteUrl: "https://blog.example/me/" }) ?? "",
      /\/me\/\.well-known\/webfinger/,
    );
  });
});
