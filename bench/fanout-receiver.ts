/**
 * A loopback OMB receiver process for bench/fanout.ts: answers every POST to
 * `/r/<i>/postnotice` with 200 and the OMB success body, as cheaply as a real listener's
 * front end could. Every 101st signed request has its signature checked (the token is
 * `t<i>`, its secret `s<i>`), so a broken signing path shows up as `invalid` in /_stats.
 *   node --import tsx bench/fanout-receiver.ts   → prints `listening <port>`
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { OMB_SUCCESS_BODY } from "../protocol/omb/constants.js";
import { parseForm, verifySignature } from "../protocol/omb/oauth.js";

const stats = { requests: 0, signed: 0, checked: 0, invalid: 0 };
let base = "";

const server = createServer((req, res) => {
  if (req.method === "GET" && req.url === "/_stats") {
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(stats));
    return;
  }
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => {
    stats.requests++;
    const body = Buffer.concat(chunks).toString("utf8");
    if (body.includes("oauth_signature=")) {
      stats.signed++;
      if (stats.signed % 101 === 0) {
        stats.checked++;
        const params = parseForm(body);
        const secret = `s${(params.oauth_token ?? "").slice(1)}`;
        if (!verifySignature("POST", base + (req.url ?? ""), params, "", secret)) stats.invalid++;
      }
    }
    res.writeHead(200, { "content-type": "text/plain" }).end(OMB_SUCCESS_BODY);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, "127.0.0.1", () => {
  const port = (server.address() as AddressInfo).port;
  base = `http://127.0.0.1:${port}`;
  process.stdout.write(`listening ${port}\n`);
});
process.once("SIGTERM", () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
