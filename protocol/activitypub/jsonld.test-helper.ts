/** Test helper: an AS2 object as compact JSON-LD, offline (only Fedify's preloaded contexts). */
import type { Object as ApObject } from "@fedify/vocab";
import { type DocumentLoader, preloadedContexts } from "@fedify/vocab-runtime";

/** Serves the preloaded JSON-LD contexts; any other URL fails the test instead of going out. */
export const offlineLoader: DocumentLoader = async (url) => {
  const document = preloadedContexts[url];
  if (document === undefined) throw new Error(`test tried to fetch ${url}`);
  return { contextUrl: null, document, documentUrl: url };
};

export type Json = Record<string, unknown>;

export async function compactJson(object: ApObject): Promise<Json> {
  return (await object.toJsonLd({ format: "compact", contextLoader: offlineLoader })) as Json;
}

/** `to`/`cc` as compacted: a single IRI or a list; Public may come as `as:Public`. */
export function audience(value: unknown): string[] {
  const list = Array.isArray(value) ? value : [value];
  return list.map((v) =>
    v === "as:Public" ? "https://www.w3.org/ns/activitystreams#Public" : String(v),
  );
}
