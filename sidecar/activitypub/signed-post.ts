/** One activity POSTed to one inbox, signed with Fedify's request signing, through our guarded client. */
import { type HttpMessageSignaturesSpec, signRequest } from "@fedify/fedify";
import type { HttpClient, HttpResponse } from "../net/client.js";
import type { SigningKey } from "./document-loader.js";

export const ACTIVITY_JSON = "application/activity+json";

/** Statuses after which the other signature scheme is tried once (Fedify's double knock). */
const KNOCK_AGAIN = (status: number) => status === 400 || status === 401;

/**
 * POSTs `body` to `inbox`, signed draft-cavage first (what Mastodon before 4.5 verifies,
 * and what Mastodon 4.7 itself sends first); a 400/401 is retried once with RFC 9421.
 * Network failures throw (net/FetchError); any answer is returned.
 */
export async function postSigned(
  http: HttpClient,
  inbox: string,
  body: string,
  key: SigningKey,
): Promise<HttpResponse> {
  const first = await postWith(http, inbox, body, key, "draft-cavage-http-signatures-12");
  if (!KNOCK_AGAIN(first.status)) return first;
  return postWith(http, inbox, body, key, "rfc9421");
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
