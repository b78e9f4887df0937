// Signed postNotice bodies made ahead of a timed run, so that the client's signing cost
// never limits what is measured: each body has its own nonce and notice URI (the sidecar
// refuses a nonce twice) and a timestamp of when it was signed (valid for ±300 s).
import type { RemoteListenee } from "../helpers/remote-listenee.js";
import { OMB_VERSION } from "../helpers/remote-listenee.js";
import { formEncode, sign } from "../helpers/remote-listenee-oauth.js";

/** A remote author that follows-flowed with the sidecar: what signing a push needs. */
export interface Pusher {
  postNoticeUrl: string;
  consumerKey: string;
  token: string;
  tokenSecret: string;
  listenee: string;
  license: string;
}

export function pusherOf(r: RemoteListenee): Pusher {
  if (!r.endpoints || !r.accessToken) throw new Error("the remote author has not followed yet");
  return {
    postNoticeUrl: r.endpoints.postNotice,
    consumerKey: r.root,
    token: r.accessToken,
    tokenSecret: r.accessSecret,
    listenee: r.profile.uri,
    license: r.profile.license,
  };
}

/** A notice text of a typical length (about 100 characters, under the 140 limit). */
export function noticeContent(id: string): string {
  return `Notice ${id}: load test text, a sentence long enough to look like a real post & ok.`;
}

/** The URI of notice `id` of this author (distinct ids give distinct URIs). */
export function noticeUri(p: Pusher, id: string): string {
  return `${p.consumerKey}notice/${id}`;
}

/** One signed postNotice form body, as libomb sent it (OAuth parameters in the body). */
export function signedNotice(p: Pusher, id: string): string {
  const uri = noticeUri(p, id);
  const params = {
    omb_version: OMB_VERSION,
    omb_listenee: p.listenee,
    omb_notice: uri,
    omb_notice_url: uri,
    omb_notice_content: noticeContent(id),
    omb_notice_license: p.license,
  };
  return formEncode(
    sign("POST", p.postNoticeUrl, params, {
      consumerKey: p.consumerKey,
      token: p.token,
      tokenSecret: p.tokenSecret,
    }),
  );
}

export interface NoticePool {
  /** The next unused body and its notice URI; signed on the spot once the pool is spent. */
  next(): { key: string; body: string };
  /** Bodies handed out after the pool was spent (signed inside the timed run). */
  readonly signedLate: number;
  readonly size: number;
  /** Signatures per second while filling the pool: what this client can produce. */
  readonly signRate: number;
}

/** Signs `size` notices `<prefix>-<i>` now; hands them out in order. */
export function noticePool(p: Pusher, prefix: string, size: number): NoticePool {
  const bodies: string[] = [];
  const t0 = performance.now();
  for (let i = 0; i < size; i++) bodies.push(signedNotice(p, `${prefix}-${i}`));
  const signRate = size / Math.max((performance.now() - t0) / 1000, 1e-6);
  let used = 0;
  let late = 0;
  return {
    next() {
      const i = used++;
      const key = noticeUri(p, `${prefix}-${i}`);
      const body = bodies[i];
      if (body !== undefined) {
        bodies[i] = ""; // let it be collected
        return { key, body };
      }
      late++;
      return { key, body: signedNotice(p, `${prefix}-${i}`) };
    },
    get signedLate() {
      return late;
    },
    size,
    signRate,
  };
}
