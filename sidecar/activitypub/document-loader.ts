/**
 * Fedify's document loaders over our HTTP client: every actor, key and object Fedify fetches
 * goes through the SSRF guard, the size cap and the time limits (Fedify's own loader checks
 * addresses before connecting, ours at connect time, which DNS rebinding cannot dodge).
 */
import type { webcrypto } from "node:crypto";
import { signRequest } from "@fedify/fedify";
import {
  FetchError as DocumentFetchError,
  type DocumentLoader,
  preloadedContexts,
  type RemoteDocument,
} from "@fedify/vocab-runtime";
import type { HttpClient, HttpResponse } from "../net/client.js";

const ACCEPT =
  'application/activity+json, application/ld+json; profile="https://www.w3.org/ns/activitystreams"';
/** Redirects followed by a signed GET, each hop signed for its own URL. */
const MAX_REDIRECTS = 5;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

export interface SigningKey {
  keyId: URL;
  privateKey: webcrypto.CryptoKey;
}

/**
 * A loader for Fedify: preloaded JSON-LD contexts from memory (nothing is fetched for them),
 * everything else by GET through `http`, signed with `key` when given (instances in secure
 * mode answer only signed GETs). A failed answer becomes Fedify's FetchError carrying the
 * status, so Fedify can tell a gone actor (410) from one that failed.
 */
export function guardedDocumentLoader(http: HttpClient, key?: SigningKey): DocumentLoader {
  return async (url: string): Promise<RemoteDocument> => {
    const preloaded = preloadedContexts[url];
    if (preloaded !== undefined) return { contextUrl: null, document: preloaded, documentUrl: url };
    const res = key ? await signedGet(http, url, key) : await http.get(url, { accept: ACCEPT });
    return toRemoteDocument(res);
  };
}

async function signedGet(http: HttpClient, url: string, key: SigningKey): Promise<HttpResponse> {
  let current = url;
  for (let hop = 0; ; hop++) {
    const signed = await signRequest(
      new Request(current, { headers: { accept: ACCEPT } }),
      key.privateKey,
      key.keyId,
      // draft-cavage: what every implementation that requires signed GETs verifies.
      { spec: "draft-cavage-http-signatures-12" },
    );
    const headers = Object.fromEntries(signed.headers.entries());
    const res = await http.get(current, headers, { followRedirects: false });
    const location = res.headers.location;
    if (!REDIRECTS.has(res.status) || !location) return res;
    if (hop >= MAX_REDIRECTS) {
      throw new DocumentFetchError(
        url,
        `more than ${MAX_REDIRECTS} redirects (last to ${location})`,
      );
    }
    current = new URL(location, current).href;
  }
}

function toRemoteDocument(res: HttpResponse): RemoteDocument {
  if (res.status < 200 || res.status > 299) {
    throw new DocumentFetchError(
      res.url,
      `HTTP ${res.status}`,
      new Response(null, { status: res.status }),
    );
  }
  let document: unknown;
  try {
    document = JSON.parse(res.body);
  } catch {
    const type = res.headers["content-type"] ?? "no content type";
    throw new DocumentFetchError(res.url, `not a JSON document (${type})`);
  }
  return { contextUrl: null, document, documentUrl: res.url };
}
