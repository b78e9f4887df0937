/** The optional stylesheet of the profile card, the subscribe form and the replies, counts and buttons under posts, written by a virtual template. */
import type { EleventyConfig } from "./eleventy-types.js";
import type { ResolvedOptions } from "./options.js";
import { addTemplateFormat } from "./templates.js";

/** The template format of the stylesheet's virtual template (see TEMPLATE_EXTENSION). */
export const WIDGETS_EXTENSION = "eleventy-federation-widgets";

/**
 * Every selector is wrapped in :where(), so it weighs nothing: any rule of the site's own
 * wins without !important. The custom properties are the knobs docs/widgets.md names.
 */
export const WIDGETS_CSS = `/* eleventy-federation: the profile card, the subscribe form, and the replies, counts and buttons under posts (docs/widgets.md). */
:where(.federation-profile) {
  margin: 1rem 0;
}
:where(.federation-profile:has(> .federation-profile-photo)) {
  display: grid;
  grid-template-columns: auto minmax(0, 1fr);
  column-gap: 1rem;
  align-items: start;
}
:where(.federation-profile) > * {
  grid-column: 2;
  margin: 0 0 0.25rem;
}
:where(.federation-profile-photo) {
  grid-column: 1;
  grid-row: 1 / span 5;
  width: var(--federation-avatar-size, 96px);
  height: var(--federation-avatar-size, 96px);
  object-fit: cover;
  border-radius: var(--federation-avatar-radius, 8px);
}
:where(.federation-profile-name) {
  font-size: 1.25em;
  font-weight: bold;
}
:where(.federation-profile-nickname) {
  display: block;
}
:where(.federation-profile-nickname, .federation-profile-location) {
  opacity: 0.75;
}
:where(.federation-subscribe) {
  display: flex;
  flex-wrap: wrap;
  align-items: end;
  gap: 0.5rem;
  margin: 1rem 0;
}
:where(.federation-subscribe-label) {
  display: flex;
  flex: 1 1 16rem;
  flex-direction: column;
  gap: 0.25rem;
}
:where(.federation-subscribe-input, .federation-subscribe-button) {
  font: inherit;
  padding: 0.4em 0.6em;
}
:where(.federation-subscribe-input) {
  box-sizing: border-box;
  width: 100%;
  min-width: 0;
}
:where(.federation-replies-list) {
  list-style: none;
  margin: 0;
  padding: 0;
}
:where(.federation-replies-list .federation-replies-list) {
  margin-left: var(--federation-thread-indent, 1.5rem);
}
:where(.federation-reply-body) {
  margin: 0.75rem 0;
  overflow-wrap: anywhere;
}
:where(.federation-reply-author, .federation-reply-meta) {
  margin: 0;
}
:where(.federation-reply-author-link) {
  display: inline-flex;
  align-items: center;
  gap: 0.5rem;
  font-weight: bold;
}
:where(.federation-reply-avatar) {
  width: var(--federation-reply-avatar-size, 32px);
  height: var(--federation-reply-avatar-size, 32px);
  object-fit: cover;
  border-radius: var(--federation-avatar-radius, 8px);
}
:where(.federation-reply-handle, .federation-reply-meta, .federation-counts) {
  opacity: 0.75;
}
:where(.federation-buttons) {
  display: flex;
  flex-wrap: wrap;
  align-items: end;
  gap: 0.5rem;
  margin: 1rem 0;
}
:where(.federation-buttons-label) {
  display: flex;
  flex: 1 1 14rem;
  flex-direction: column;
  gap: 0.25rem;
}
:where(.federation-buttons-actions) {
  display: flex;
  flex-wrap: wrap;
  gap: 0.25rem;
}
:where(.federation-buttons-handle, .federation-button) {
  font: inherit;
  padding: 0.4em 0.6em;
}
:where(.federation-buttons-handle) {
  box-sizing: border-box;
  width: 100%;
  min-width: 0;
}
:where(.federation-button[hidden], .federation-buttons-status:empty) {
  display: none;
}
:where(.federation-buttons-status, .federation-buttons-noscript) {
  flex-basis: 100%;
  margin: 0;
}
`;

/** Adds the stylesheet at `options.widgets.stylesheet`, unless that is null. */
export function addWidgetStylesheet(
  eleventyConfig: EleventyConfig,
  options: ResolvedOptions,
): void {
  const at = options.widgets.stylesheet;
  if (at === null) return;
  const path = addTemplateFormat(eleventyConfig, WIDGETS_EXTENSION, {
    stylesheet: () => WIDGETS_CSS,
  });
  eleventyConfig.addTemplate(path("stylesheet"), "stylesheet", {
    layout: false,
    eleventyExcludeFromCollections: true,
    permalink: at,
  });
}
