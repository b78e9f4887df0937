import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { verifySignature } from "../protocol/omb/oauth.js";
import type { OmbProfile } from "../protocol/omb/profile.js";
import { HttpClient } from "../sidecar/net/client.js";
import {
  authorizeUrl,
  fetchAccessToken,
  fetchRequestToken,
  TokenRefusedError,
} from "../sidecar/omb/consumer.js";
import { parseParams, signatureValid } from "./reference-listener/oauth.js";

/**
 * The consumer's OMB calls on their own, against a scripted loopback server: what they
 * send, and how tolerant they are of what StatusNet-era services answered (OMB.md P7, §6.4).
 */

const OMB = "http://openmicroblogging.org/protocol/0.1";
const KEY = "http://site.example/";

let server: Server;
let base: string;
let answer: (req: IncomingMessage, body: string, res: ServerResponse) => void = () => {};
const received: { url: string; body: string; type: string }[] = [];
const http = new HttpClient({ allowPrivateNetworks: true, totalTimeoutMs: 5_000 });

before(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => {
      body += c.toString("utf8");
    });
    req.on("end", () => {
      received.push({ url: req.url ?? "", body, type: req.headers["content-type"] ?? "" });
      answer(req, body, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(async () => {
  await http.close();
  await new Promise((r) => server.close(r));
});

function reply(status: number, body: string, type = "text/html; charset=UTF-8") {
  answer = (_req, _body, res) => res.writeHead(status, { "Content-Type": type }).end(body);
}

describe("fetchRequestToken", () => {
  it("POSTs a signed body with omb_listener and omb_version, no token, no callback", async () => {
    reply(
      200,
      "oauth_token=rt&oauth_token_secret=rs&omb_version=http%3A%2F%2Fopenmicroblogging.org%2Fprotocol%2F0.1",
    );
    const pair = await fetchRequestToken(
      http,
      `${base}/index.php?action=requesttoken`,
      KEY,
      "http://l.example/user/1",
    );
    assert.deepEqual(pair, { token: "rt", secret: "rs" });
    const last = received.at(-1);
    assert.equal(last?.url, "/index.php?action=requesttoken", "query kept in the URL");
    assert.equal(last?.type, "application/x-www-form-urlencoded");
    const params = parseParams(last?.body ?? "");
    assert.equal(params.omb_listener, "http://l.example/user/1");
    assert.equal(params.omb_version, OMB);
    assert.equal(params.oauth_consumer_key, KEY);
    assert.equal(params.oauth_token, undefined);
    assert.equal(params.oauth_callback, undefined);
    assert.equal(params.action, undefined, "the query param is not copied into the body");
    // the independent verifier, with the query merged in as a receiver does
    assert.ok(
      signatureValid("POST", `${base}/index.php`, { ...params, action: "requesttoken" }, ""),
    );
  });

  it("tolerates text/plain, a trailing & and whitespace around the answer", async () => {
    reply(200, "oauth_token=a%20b&oauth_token_secret=s&\n", "text/plain");
    assert.deepEqual(await fetchRequestToken(http, `${base}/rt`, KEY, "http://l.example/u"), {
      token: "a b",
      secret: "s",
    });
  });

  for (const [what, status, body] of [
    ["a 500", 500, "OAuthException: bad"],
    ["a 403", 403, "no"],
    ["an empty 200", 200, ""],
    ["a 200 without a token", 200, "<html>Welcome</html>"],
    ["a 200 with a token but no secret", 200, "oauth_token=x"],
  ] as const) {
    it(`refuses ${what}`, async () => {
      reply(status, body);
      const err = await fetchRequestToken(http, `${base}/rt`, KEY, "http://l.example/u").then(
        () => assert.fail("should refuse"),
        (e: unknown) => e,
      );
      assert.ok(err instanceof TokenRefusedError);
      assert.equal(err.step, "request token");
      assert.equal(err.status, status);
    });
  }

  it("turns an unreachable service into a refusal, not a crash", async () => {
    const err = await fetchRequestToken(http, "http://127.0.0.1:1/rt", KEY, "u").catch((e) => e);
    assert.ok(err instanceof TokenRefusedError);
    assert.equal(err.status, undefined);
  });
});

describe("fetchAccessToken", () => {
  it("signs with the request token and its secret, sends omb_version", async () => {
    reply(200, "oauth_token=at&oauth_token_secret=as");
    const pair = await fetchAccessToken(http, `${base}/at`, KEY, { token: "rt", secret: "rs" });
    assert.deepEqual(pair, { token: "at", secret: "as" });
    const params = parseParams(received.at(-1)?.body ?? "");
    assert.equal(params.oauth_token, "rt");
    assert.equal(params.omb_version, OMB);
    assert.ok(signatureValid("POST", `${base}/at`, params, "rs"));
    assert.ok(!signatureValid("POST", `${base}/at`, params, "other"));
  });

  it("an empty 200 (StatusNet's 'not authorized') is an access token refusal", async () => {
    reply(200, "");
    const err = await fetchAccessToken(http, `${base}/at`, KEY, {
      token: "rt",
      secret: "rs",
    }).catch((e) => e);
    assert.ok(err instanceof TokenRefusedError);
    assert.equal(err.step, "access token");
  });
});

describe("authorizeUrl", () => {
  const listenee: OmbProfile = {
    uri: KEY,
    profile: KEY,
    nickname: "site",
    license: "http://creativecommons.org/licenses/by/3.0/",
    fullname: "Site & Author",
    homepage: "",
    bio: "",
    location: "Here",
    avatar: "",
  };
  const request = {
    callback: "http://site.example/omb/finishsubscribe",
    listener: "http://l.example/user/1",
    listenee,
  };

  it("is a signed GET carrying the callback and the set listenee fields only", () => {
    const url = authorizeUrl(
      "http://l.example/userauthorization",
      KEY,
      { token: "rt", secret: "rs" },
      request,
    );
    const [path, query = ""] = url.split("?");
    assert.equal(path, "http://l.example/userauthorization");
    assert.ok(query.includes("omb_listenee_fullname=Site%20%26%20Author"), "RFC 3986, %20");
    const params = parseParams(query);
    assert.equal(params.oauth_callback, request.callback);
    assert.equal(params.oauth_token, "rt");
    assert.equal(params.omb_listener, request.listener);
    assert.equal(params.omb_listenee, KEY);
    assert.equal(params.omb_version, OMB);
    assert.equal(params.omb_listenee_location, "Here");
    for (const unset of ["homepage", "bio", "avatar"])
      assert.ok(!(`omb_listenee_${unset}` in params));
    assert.ok(signatureValid("GET", path ?? "", params, "rs"), "independent verifier");
    assert.ok(verifySignature("GET", path ?? "", params, "", "rs"), "product verifier");
  });

  it("always sends nickname, profile and license; keeps an endpoint's own query", () => {
    const url = authorizeUrl(
      "http://l.example/index.php?action=userauthorization",
      KEY,
      { token: "rt", secret: "rs" },
      { ...request, listenee: { ...listenee, license: "" } },
    );
    assert.ok(url.startsWith("http://l.example/index.php?action=userauthorization&"));
    const params = parseParams(url.split("?")[1] ?? "");
    assert.equal(params.omb_listenee_license, "");
    assert.equal(params.omb_listenee_nickname, "site");
    assert.ok(signatureValid("GET", "http://l.example/index.php", params, "rs"));
  });
});
