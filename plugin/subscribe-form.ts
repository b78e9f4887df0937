/** The `federationSubscribe` shortcode: the remote-subscribe form that posts to the sidecar. */
import escapeHtml from "escape-html";

/**
 * The `federationSubscribe` shortcode: the remote-subscribe form (OMB.md §1). A visitor types
 * *their own* OMB profile URL or fediverse handle (so a text field: a handle is no URL); the
 * sidecar (OAuth consumer, or WebFinger for a handle) takes it from there. Field names are
 * Laconica's (`profile_url`, `nickname`), so the sidecar reads what people already know.
 * No ids, so the form may appear twice on a page. Classes: docs/widgets.md.
 */
export function renderSubscribeForm(action: string, nickname: string): string {
  return `<form class="federation-subscribe" method="post" action="${escapeHtml(action)}">
  <input type="hidden" name="nickname" value="${escapeHtml(nickname)}">
  <label class="federation-subscribe-label"><span class="federation-subscribe-prompt">Your profile URL or @you@your.instance</span>
    <input class="federation-subscribe-input" type="text" name="profile_url" required placeholder="https://identi.ca/you or @you@your.instance" autocapitalize="none" spellcheck="false">
  </label>
  <button class="federation-subscribe-button" type="submit">Subscribe</button>
</form>`;
}
