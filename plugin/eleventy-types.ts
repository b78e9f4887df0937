/**
 * The small part of Eleventy 3's configuration API this plugin uses. Eleventy ships no type
 * definitions, so these are written from its source (src/UserConfig.js, src/Eleventy.js).
 */

/** One entry of `collections.<name>` as Eleventy hands it to templates. */
export interface CollectionItem {
  /** Root-relative URL, or false for a template with `permalink: false`. */
  url: string | false;
  date: Date;
  inputPath: string;
  fileSlug: string;
  data: Record<string, unknown>;
  /** The rendered body (before layouts); only readable once the item has been rendered. */
  content: string;
}

/** `this` inside a transform. */
export interface TransformContext {
  page: { url: string | false; outputPath: string | false; inputPath: string };
}

/** The argument of the `eleventy.before` / `eleventy.after` events. */
export interface BuildEvent {
  runMode: "build" | "serve" | "watch";
  outputMode: "fs" | "json" | "ndjson";
  incremental?: boolean;
}

export interface ExtensionOptions {
  compile: (content: string, inputPath: string) => (data: Record<string, unknown>) => string;
  compileOptions?: { permalink?: "raw" | boolean; cache?: boolean };
  outputFileExtension?: string;
}

export interface EleventyConfig {
  versionCheck(range: string): void;
  addTemplate(virtualInputPath: string, content: unknown, data: Record<string, unknown>): void;
  addExtension(extension: string, options: ExtensionOptions): void;
  addTemplateFormats(formats: string): void;
  addTransform(name: string, fn: (this: TransformContext, content: string) => string): void;
  addShortcode(name: string, fn: (...args: unknown[]) => string): void;
  on(event: "eleventy.before" | "eleventy.after", fn: (event: BuildEvent) => unknown): void;
  logger?: { warn(message: string): void };
}
