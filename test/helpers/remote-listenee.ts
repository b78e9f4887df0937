// A remote author's StatusNet-like service (the OMB listenee, OAuth consumer) for tests of
// the site as listener: it discovers the site's XRDS, gets a request token, builds the
// signed authorize redirect, takes the callback on its own loopback server, exchanges the
// access token and pushes postNotice / updateProfile, the way libomb did (OMB.md §10).
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { XrdsEndpoints } from "../../protocol/omb/xrds.js";
import { readXrds } from "../../protocol/omb/xrds-read.js";
import { authorizationHeader, formEncode, type Params, sign } from "./remote-listenee-oauth.js";

export const OMB_VERSION = "http://openmicroblogging.org/protocol/0.1";
export const CC_BY = "http://creativecommons.org/licenses/by/3.0/";

export interface ListeneeProfile {
  uri: string;
  profile: string;
  nickname: string;
  license: string;
  fullname?: string;
  homepage?: string;
  bio?: string;
  location?: string;
  avatar?: string;
}

export interface PushOptions {
  /** Where the OAuth parameters travel (default "body", as every real peer did). */
  via?: "body" | "header";
  timestamp?: number;
  nonce?: string;
  token?: string;
  tokenSecret?: string;
  consumerKey?: string;
  /** Sign for this URL but send to the real one (a sidecar behind a proxy). */
  signUrl?: string;
  /** Changes the signed set after signing (a tampered request). */
  tamper?: (signed: Params) => void;
}

export interface Answer {
  status: number;
  body: string;
  headers: Headers;
}

export class RemoteListenee {
  readonly profile: ListeneeProfile;
  endpoints?: XrdsEndpoints;
  requestToken = "";
  requestSecret = "";
  accessToken = "";
  accessSecret = "";
  /** Queries the callback (finish) page received, in order. */
  readonly callbacks: URLSearchParams[] = [];

  private constructor(
    private readonly server: Server,
    /** Our site root: the OAuth consumer key (OMB.md §1). */
    readonly root: string,
    profile: Partial<ListeneeProfile>,
  ) {
    this.profile = {
      uri: `${root}user/1`,
      profile: `${root}bob`,
      nickname: "bob",
      license: CC_BY,
      fullname: "Bob Remote",
      ...profile,
    };
  }

  static async start(profile: Partial<ListeneeProfile> = {}): Promise<RemoteListenee> {
    let self: RemoteListenee | undefined;
    const server = createServer((req, res) => {
      const url = new URL(req.url ?? "/", "http://x");
      if (url.pathname === "/main/finishremotesubscribe") self?.callbacks.push(url.searchParams);
      res.writeHead(200, { "content-type": "text/plain" }).end("ok");
    });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const { port } = server.address() as AddressInfo;
    self = new RemoteListenee(server, `http://127.0.0.1:${port}/`, profile);
    return self;
  }

  get callbackUrl(): string {
    return `${this.root}main/finishremotesubscribe`;
  }

  /** Yadis as php-openid did it: the profile page's X-XRDS-Location meta, then the XRDS. */
  async discover(siteUrl: string): Promise<XrdsEndpoints> {
    const page = await fetch(siteUrl, {
      headers: { accept: "application/xrds+xml, text/html; q=0.3, application/xhtml+xml; q=0.5" },
    });
    const html = await page.text();
    const location =
      page.headers.get("x-xrds-location") ??
      /<meta\s+http-equiv="X-XRDS-Location"\s+content="([^"]+)"/i.exec(html)?.[1];
    if (!location) throw new Error(`no XRDS location at ${siteUrl}`);
    const xrdsUrl = new URL(location, siteUrl).href;
    this.endpoints = readXrds(await (await fetch(xrdsUrl)).text(), xrdsUrl);
    return this.endpoints;
  }

  #ep(): XrdsEndpoints {
    if (!this.endpoints) throw new Error("discover() first");
    return this.endpoints;
  }

  /** A signed POST with the given parameters, as libomb sent them. */
  async signedPost(url: string, params: Params, o: PushOptions = {}): Promise<Answer> {
    const signed = sign("POST", o.signUrl ?? url, params, {
      consumerKey: o.consumerKey ?? this.root,
      token: o.token,
      tokenSecret: o.tokenSecret,
      timestamp: o.timestamp,
      nonce: o.nonce,
    });
    o.tamper?.(signed);
    const headers: Record<string, string> = {
      "content-type": "application/x-www-form-urlencoded",
    };
    let body = signed;
    if (o.via === "header") {
      headers.authorization = authorizationHeader(signed);
      body = Object.fromEntries(Object.entries(signed).filter(([k]) => !k.startsWith("oauth_")));
    }
    const res = await fetch(url, { method: "POST", headers, body: formEncode(body) });
    return { status: res.status, body: await res.text(), headers: res.headers };
  }

  /** Step 1: a request token (kept on success). */
  async getRequestToken(o: PushOptions = {}): Promise<Answer> {
    const ep = this.#ep();
    const answer = await this.signedPost(
      ep.request,
      { omb_listener: ep.localId, omb_version: OMB_VERSION },
      o,
    );
    if (answer.status === 200) {
      const p = new URLSearchParams(answer.body);
      this.requestToken = p.get("oauth_token") ?? "";
      this.requestSecret = p.get("oauth_token_secret") ?? "";
    }
    return answer;
  }

  /** Step 2: the authorize URL the browser is sent to, signed GET ("legacy" libomb mode). */
  authorizeUrl(overrides: Params = {}): string {
    const ep = this.#ep();
    const params: Params = {
      oauth_callback: this.callbackUrl,
      omb_version: OMB_VERSION,
      omb_listener: ep.localId,
      omb_listenee: this.profile.uri,
    };
    for (const [k, v] of Object.entries(this.profile)) {
      if (k !== "uri" && v) params[`omb_listenee_${k}`] = v;
    }
    const { oauth_token: token = this.requestToken, ...rest } = overrides;
    Object.assign(params, rest);
    const signed = sign("GET", ep.authorize, params, {
      consumerKey: this.root,
      token,
      tokenSecret: this.requestSecret,
    });
    return `${ep.authorize}?${formEncode(signed)}`;
  }

  /** Step 4: the access token for the authorized request token (kept on success). */
  async getAccessToken(o: PushOptions = {}): Promise<Answer> {
    const answer = await this.signedPost(
      this.#ep().access,
      { omb_version: OMB_VERSION },
      { token: this.requestToken, tokenSecret: this.requestSecret, ...o },
    );
    if (answer.status === 200) {
      const p = new URLSearchParams(answer.body);
      this.accessToken = p.get("oauth_token") ?? "";
      this.accessSecret = p.get("oauth_token_secret") ?? "";
    }
    return answer;
  }

  #push(url: string, params: Params, o: PushOptions): Promise<Answer> {
    return this.signedPost(
      url,
      { omb_version: OMB_VERSION, omb_listenee: this.profile.uri, ...params },
      { token: this.accessToken, tokenSecret: this.accessSecret, ...o },
    );
  }

  /** postNotice with libomb's usual fields; `fields` adds or overrides. */
  postNotice(id: number | string, fields: Params = {}, o: PushOptions = {}): Promise<Answer> {
    const uri = `${this.root}notice/${id}`;
    return this.#push(
      this.#ep().postNotice,
      {
        omb_notice: uri,
        omb_notice_url: uri,
        omb_notice_content: `Notice ${id} from ${this.profile.nickname}`,
        omb_notice_license: this.profile.license,
        ...fields,
      },
      o,
    );
  }

  /** updateProfile with exactly `fields` (give "" to clear one). */
  updateProfile(fields: Params, o: PushOptions = {}): Promise<Answer> {
    return this.#push(this.#ep().updateProfile, fields, o);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
