// The example blog. It loads the plugin from its TypeScript source, so run Eleventy with tsx
// (`node --import tsx node_modules/@11ty/eleventy/cmd.cjs --config=example-site/eleventy.config.js`,
// which `npm run example:build` does); tests that run under tsx can import this file as it is.
// A blogger's own site imports the compiled package instead: `import eleventyFederation from "eleventy-federation"`.
import path from "node:path";
import { fileURLToPath } from "node:url";
import eleventyFederation from "../plugin/index.ts";

const here = path.dirname(fileURLToPath(import.meta.url));
// Eleventy resolves directories against the working directory; these work from any of them.
const fromCwd = (p) => path.relative(process.cwd(), path.join(here, p)) || ".";

export default function (eleventyConfig) {
  // One process (the sidecar, in a later release) serves both on port 8080 by default.
  const siteUrl = process.env.SITE_URL || "http://localhost:8080/";
  const sidecarUrl = process.env.SIDECAR_URL || "http://localhost:8080/";
  // The demo and the browser test build a second author from the same sources with these.
  const env = process.env;
  const author = {
    nickname: env.SITE_NICKNAME || "mira",
    fullname: env.SITE_FULLNAME ?? "Mira Okafor",
    bio: env.SITE_BIO ?? "Bikes, bread and small software. Writing from Lisbon.",
    title: env.SITE_TITLE || "Mira's notebook",
  };

  eleventyConfig.addPlugin(eleventyFederation, {
    siteUrl,
    sidecarUrl,
    profile: {
      nickname: author.nickname,
      fullname: author.fullname,
      bio: author.bio,
      location: "Lisbon, Portugal",
      avatar: "/avatar.png",
    },
    // The inbox.json the sidecar (example-site/federation.json) writes beside its data file.
    inbox: { file: env.INBOX_FILE || fromCwd("federation-data/inbox.json") },
    // Replies, likes and boosts, from the interactions.json it writes beside the inbox.
    interactions: { file: env.INTERACTIONS_FILE || fromCwd("federation-data/interactions.json") },
    timeline: { layout: "base.njk", perPage: 10 },
  });

  // --serve would parse this file's imports with a JavaScript-only parser to watch them,
  // and the plugin is imported as TypeScript source: let tsx load it, and don't spider it.
  eleventyConfig.setWatchJavaScriptDependencies(false);
  // Escape every {{ value }} unless marked safe: titles are text, not HTML.
  eleventyConfig.setNunjucksEnvironmentOptions({ autoescape: true });
  eleventyConfig.addPassthroughCopy({ [fromCwd("avatar.png")]: "avatar.png" });
  eleventyConfig.addPassthroughCopy({ [fromCwd("style.css")]: "style.css" });
  eleventyConfig.addGlobalData("site", { title: author.title, url: siteUrl });
  eleventyConfig.addFilter("isoDate", (date) => date.toISOString().slice(0, 10));
  eleventyConfig.addFilter("readableDate", (date) =>
    date.toLocaleDateString("en-GB", {
      year: "numeric",
      month: "long",
      day: "numeric",
      timeZone: "UTC",
    }),
  );
}

export const config = {
  dir: { input: fromCwd("."), output: fromCwd("_site"), includes: "_includes" },
  templateFormats: ["md", "njk"],
  markdownTemplateEngine: "njk",
  htmlTemplateEngine: "njk",
};
