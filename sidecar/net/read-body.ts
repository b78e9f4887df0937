/** Reads an outbound response's body as text under byte caps: the client's own, or a lower one for the request. */
import { TextDecoder } from "node:util";
import type { Dispatcher } from "undici";
import { FetchError } from "./fetch-error.js";

/**
 * A lower body cap for one request: for every response, or only those of `types`. A
 * refusing cap fails the request with "too-large"; a truncating one keeps the first
 * `maxBytes` (for a reader that never looks further, like the profile page's head scan).
 */
export interface BodyCap {
  maxBytes: number;
  /** The sentence after a refusal, e.g. how big a real document is. */
  advice: string;
  /** Media types (lower case, no parameters) it applies to; all when absent. */
  types?: string[];
  /** Keep the first maxBytes instead of failing. */
  truncate?: boolean;
}

const DEFAULT_ADVICE = "The page is too large to be a profile or reply.";

/**
 * The body as text, never holding more than `limit` bytes, or the bytes of the lowest of
 * `caps` that applies to the response's media type.
 */
export async function readCapped(
  res: Dispatcher.ResponseData,
  url: string,
  limit: number,
  caps: readonly BodyCap[] = [],
): Promise<{ body: string; truncated: boolean }> {
  const type = headerValue(res.headers["content-type"])?.split(";")[0]?.trim().toLowerCase();
  const cap = caps
    .filter((c) => c.maxBytes < limit && (!c.types || c.types.includes(type ?? "")))
    .sort((x, y) => x.maxBytes - y.maxBytes)[0];
  const max = cap?.maxBytes ?? limit;
  const tooLarge = (what: string) => {
    res.body.destroy();
    return new FetchError(
      "too-large",
      url,
      `${url} ${what}, more than the ${max} bytes allowed. ${cap?.advice ?? DEFAULT_ADVICE}`,
    );
  };
  const declared = Number(headerValue(res.headers["content-length"]) ?? Number.NaN);
  if (!cap?.truncate && Number.isFinite(declared) && declared > max) {
    throw tooLarge(`announced ${declared} bytes`);
  }
  const chunks: Buffer[] = [];
  let received = 0;
  let truncated = false;
  for await (const chunk of res.body as AsyncIterable<Buffer>) {
    received += chunk.length;
    if (received > max) {
      if (!cap?.truncate) throw tooLarge("sent a body");
      chunks.push(chunk.subarray(0, chunk.length - (received - max)));
      res.body.destroy();
      truncated = true;
      break;
    }
    chunks.push(chunk);
  }
  const body = decoder(headerValue(res.headers["content-type"])).decode(Buffer.concat(chunks));
  return { body, truncated };
}

/** Decodes by the Content-Type charset when the platform knows it, else as UTF-8. */
function decoder(contentType: string | undefined): TextDecoder {
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(contentType ?? "")?.[1];
  try {
    return new TextDecoder(charset ?? "utf-8");
  } catch {
    return new TextDecoder("utf-8");
  }
}

export function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(", ") : value;
}
