/** The options of the profile card and subscribe form (`widgets`): their schema and resolved form. */
import { z } from "zod";
import { boolean, options, PAGE_PATH, ruled, says } from "./option-rules.js";

/*
 * Checked by the schema below (part of options-schema.ts), resolved by `resolveWidgetOptions`;
 * the commented defaults are in DEFAULT_OPTIONS (options.ts). docs/widgets.md shows the markup.
 */

export interface ResolvedWidgetOptions {
  /** The site path the stylesheet is written to, with a leading slash; null = none. */
  stylesheet: string | null;
  /** False: the card's <img> carries `eleventy:ignore`, so image transforms leave it alone. */
  transformAvatar: boolean;
}

export interface WidgetOptionsInput {
  stylesheet?: string | null | undefined;
  transformAvatar?: boolean | undefined;
}

const cssMessage = 'must be a site path ending in ".css", such as "/federation/widgets.css"';
const cssFix = 'e.g. "/federation/widgets.css", or null to write no stylesheet';

const stylesheet = ruled(z.string({ error: says(cssMessage, cssFix) }), [
  { holds: (v) => PAGE_PATH.test(v) && /[^/]\.css$/.test(v), message: cssMessage, fix: cssFix },
  {
    holds: (v) => !v.split("/").some((part) => part === "." || part === ".."),
    message: 'must stay inside the site (no "." or ".." parts)',
    fix: cssFix,
  },
]);

export const widgetsSchema = options(
  {
    stylesheet: stylesheet.nullable().optional(),
    transformAvatar: boolean.optional(),
  },
  'write widgets: { stylesheet: "/federation/widgets.css", transformAvatar: false }',
);

/** The parsed widget options over their defaults; the stylesheet path gets its leading slash. */
export function resolveWidgetOptions(
  input: WidgetOptionsInput | undefined,
  defaults: ResolvedWidgetOptions,
): ResolvedWidgetOptions {
  const path = input?.stylesheet === undefined ? defaults.stylesheet : input.stylesheet;
  return {
    stylesheet: path === null ? null : `/${path.replace(/^\/+/, "")}`,
    transformAvatar: input?.transformAvatar ?? defaults.transformAvatar,
  };
}
