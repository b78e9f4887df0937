/** One activity POSTed to one inbox, signed with Fedify's request signing, through our guarded client. */
import { type HttpMessageSignaturesSpec, signRequest } from "@fedify/fedify";
import type { HttpClient, HttpResponse } from "../net/client.js";
import type { SigningKey } from "./document-loader.js";

export const ACTIVITY_JSON = "application/activity+json";

/** Statuses after which the other signature scheme is tried once (Fedify's double knock). */
const KNOCK_AGAIN = (status: number) => status === 400 || status === 401;

export type SignatureSpec = HttpMessageSignaturesSpec;
const OTHER: Record<SignatureSpec, SignatureSpec> = {
  "draft-cavage-http-signatures-12": "rfc9421",
  rfc9421: "draft-cavage-http-signatures-12",
};

/**
 * Which scheme each origin took last (bounded): the next POST there starts with it, so a
 * receiver that needed the second knock is not knocked twice every time.
 */
export class KnockMemory {
  readonly #first: SignatureSpec;
  readonly #byOrigin = new Map<string, SignatureSpec>();

  /** `first`: the scheme tried first at an origin not seen yet (default draft-cavage). */
  constructor(first: SignatureSpec = "draft-cavage-http-signatures-12") {
    this.#first = first;
  }

  first(origin: string): SignatureSpec {
    return this.#byOrigin.get(origin) ?? this.#first;
  }

  took(origin: string, spec: SignatureSpec): void {
    if (this.#byOrigin.size >= 10_000) this.#byOrigin.clear();
    this.#byOrigin.set(origin, spec);
  }
}

/**
 * POSTs `body` to `inbox`, signed draft-cavage first (what Mastodon before 4.5 verifies,
 * and what Mastodon 4.7 itself sends first) unless `memory` says this origin took RFC 9421
 * or was told to start there; a 400/401 is retried once with the other scheme.
 * Network failures throw (net/FetchError); any answer is returned.
 */
export async function postSigned(
  http: HttpClient,
  inbox: string,
  body: string,
  key: SigningKey,
  memory: KnockMemory = new KnockMemory(),
): Promise<HttpResponse> {
  const origin = new URL(inbox).origin;
  const spec = memory.first(origin);
  const first = await postWith(http, inbox, body, key, spec);
  if (!KNOCK_AGAIN(first.status)) {
    if (first.status < 300) memory.took(origin, spec);
    return first;
  }
  const second = await postWith(http, inbox, body, key, OTHER[spec]);
  if (second.status < 300) memory.took(origin, OTHER[spec]);
  return second;
}

async function postWith(
  http: HttpClient,
  inbox: string,
  body: string,
  key: SigningKey,
  spec: HttpMessageSignaturesSpec,
): Promise<HttpResponse> {
  const bytes = new TextEncoder().encode(body);
  const signed = await signRequest(
    new Request(inbox, {
      method: "POST",
      headers: { "content-type": ACTIVITY_JSON, accept: ACTIVITY_JSON },
      body: bytes,
    }),
    key.privateKey,
    key.keyId,
    { spec, body: bytes.buffer as ArrayBuffer },
  );
  const headers = Object.fromEntries(signed.headers.entries());
  delete headers["content-type"];
  return http.post(inbox, body, ACTIVITY_JSON, headers);
}
