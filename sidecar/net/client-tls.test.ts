/**
 * The connector dials the vetted IP, yet TLS must still check the certificate against the
 * URL's host name (SNI + identity). A throwaway certificate is made with the openssl CLI.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { FetchError, HttpClient, type LookupFunction } from "./client.js";

function selfSigned(name: string): { key: string; cert: string } | null {
  const dir = mkdtempSync(join(tmpdir(), "tls-test-"));
  try {
    execFileSync(
      "openssl",
      ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", `/CN=${name}`]
        .concat(["-addext", `subjectAltName=DNS:${name}`])
        .concat(["-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem")]),
      { stdio: "ignore", timeout: 20000 },
    );
    return {
      key: readFileSync(join(dir, "key.pem"), "utf8"),
      cert: readFileSync(join(dir, "cert.pem"), "utf8"),
    };
  } catch {
    return null;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const pem = selfSigned("profile.test");
const toLoopback: LookupFunction = (_host, _opts, callback) =>
  callback(null, [{ address: "127.0.0.1", family: 4 }]);

describe("HttpClient over TLS", { skip: pem ? false : "openssl CLI not available" }, () => {
  let server: Server;
  let port: number;
  const seenServernames: (string | false | null)[] = [];

  before(async () => {
    server = createServer({ key: pem?.key, cert: pem?.cert }, (req, res) => {
      res.end(`hello ${req.headers.host}`);
    });
    server.on("secureConnection", (socket) => seenServernames.push(socket.servername));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it("sends the URL's name as SNI and verifies the certificate against it", async () => {
    const http = new HttpClient({
      allowPrivateNetworks: true,
      lookup: toLoopback,
      tls: { ca: pem?.cert },
    });
    try {
      const res = await http.get(`https://profile.test:${port}/`);
      assert.equal(res.body, `hello profile.test:${port}`);
      assert.equal(seenServernames.at(-1), "profile.test");
    } finally {
      await http.close();
    }
  });

  it("refuses a certificate for another name, though the IP is the same", async () => {
    const http = new HttpClient({
      allowPrivateNetworks: true,
      lookup: toLoopback,
      tls: { ca: pem?.cert },
    });
    try {
      const err = await http.get(`https://other.test:${port}/`).catch((e: unknown) => e);
      assert.ok(err instanceof FetchError);
      assert.equal(err.code, "connect", err.message);
      assert.match(err.message, /ERR_TLS_CERT_ALTNAME_INVALID/);
    } finally {
      await http.close();
    }
  });

  it("refuses an untrusted certificate", async () => {
    const http = new HttpClient({ allowPrivateNetworks: true, lookup: toLoopback });
    try {
      const err = await http.get(`https://profile.test:${port}/`).catch((e: unknown) => e);
      assert.ok(err instanceof FetchError);
      assert.equal(err.code, "connect", err.message);
    } finally {
      await http.close();
    }
  });
});
