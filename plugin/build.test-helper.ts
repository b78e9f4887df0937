/** Builds a test site in memory (Eleventy's toJSON) with the plugin: its pages by URL and its warnings. */
import assert from "node:assert/strict";
import path from "node:path";
import { Eleventy, type EleventyJsonResult } from "@11ty/eleventy";
import eleventyFederation from "./index.js";

export async function buildInMemory(
  src: string,
  options: Record<string, unknown>,
  site = { siteUrl: "https://alice.example/", sidecarUrl: "https://alice.example/" },
) {
  const warnings: string[] = [];
  const elev = new Eleventy(src, path.join(src, "_site"), {
    quietMode: true,
    configPath: false,
    config: (config: unknown) => {
      const c = config as { logger: object; addPlugin(p: unknown, o: unknown): void };
      c.logger = Object.assign(Object.create(c.logger), {
        warn: (m: string) => warnings.push(m),
      });
      c.addPlugin(eleventyFederation, { ...site, profile: { nickname: "alice" }, ...options });
    },
  });
  const outputs = await elev.toJSON();
  const page = (url: string): string => {
    const o = outputs.find((x: EleventyJsonResult) => x.url === url);
    assert.ok(o, `no page ${url}; built: ${outputs.map((x) => x.url).join(", ")}`);
    return o.content;
  };
  return { outputs, page, warnings };
}
