/**
 * Remote fediverse accounts for bench/ap-inbound.ts: N actors on one loopback server (an
 * actor document with its own RSA-2048 key each, an inbox answering 202), and signed
 * activities from them made ahead of a timed run with Fedify's signRequest (draft-cavage, as
 * Mastodon sends), so the client's signing never limits what is measured.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { signRequest } from "@fedify/fedify";
import { exportSpki } from "@fedify/vocab-runtime";
import { generateRsaKeyPair } from "../sidecar/activitypub/actor-key.js";

const AS = "https://www.w3.org/ns/activitystreams";

export interface SignedActivity {
  /** The activity's id: what the answer is reported with. */
  key: string;
  headers: Record<string, string>;
  body: string;
}

/** What the senders make: a Create(Note) each, or Follow and Undo(Follow) in turn. */
export type ActivityKind = "create" | "follow";

export interface Senders {
  ids: string[];
  /** GETs of actor documents answered (the receiver should fetch each key once). */
  readonly actorFetches: number;
  /** POSTs to the senders' inboxes (Accept replies to Follows). */
  readonly inboxPosts: number;
  /** `count` activities to `inbox`, round-robin over the senders, signed now. */
  sign(inbox: string, kind: ActivityKind, tag: string, count: number): Promise<SignedActivity[]>;
  close(): Promise<void>;
}

export async function startSenders(count: number): Promise<Senders> {
  const keys = await Promise.all(Array.from({ length: count }, () => generateRsaKeyPair()));
  const pems = await Promise.all(keys.map((k) => exportSpki(k.publicKey as never)));
  let actorFetches = 0;
  let inboxPosts = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      const m = /^\/users\/(\d+)(\/inbox)?$/.exec(req.url ?? "");
      const n = Number(m?.[1] ?? -1);
      if (!m || !pems[n]) return res.writeHead(404).end();
      if (m[2]) {
        inboxPosts++;
        return res.writeHead(202).end();
      }
      actorFetches++;
      res.writeHead(200, { "content-type": "application/activity+json" });
      res.end(JSON.stringify(actorDoc(n)));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const ids = keys.map((_, n) => `${base}/users/${n}`);
  const actorDoc = (n: number) => ({
    "@context": [AS, "https://w3id.org/security/v1"],
    id: ids[n],
    type: "Person",
    preferredUsername: `sender${n}`,
    name: `Sender ${n}`,
    inbox: `${ids[n]}/inbox`,
    endpoints: { sharedInbox: `${base}/inbox` },
    publicKey: { id: `${ids[n]}#main-key`, owner: ids[n], publicKeyPem: pems[n] },
  });

  const activity = (kind: ActivityKind, actor: string, id: string, target: string, i: number) => {
    if (kind === "create") {
      return {
        "@context": AS,
        id,
        type: "Create",
        actor,
        to: [`${AS}#Public`],
        object: {
          id: `${id}/note`,
          type: "Note",
          attributedTo: actor,
          to: [`${AS}#Public`],
          published: new Date().toISOString(),
          content: `<p>Reply ${i}: a sentence or two of text, the size of a typical post &amp; <a href="https://example.com/">a link</a>.</p>`,
        },
      };
    }
    // Follow on even turns, its Undo on odd ones (the Undo embeds the Follow, as Mastodon does).
    const follow = { id: `${id.replace(/-u$/, "")}-f`, type: "Follow", actor, object: target };
    return i % 2 === 0
      ? { "@context": AS, ...follow }
      : { "@context": AS, id, type: "Undo", actor, object: follow };
  };

  return {
    ids,
    get actorFetches() {
      return actorFetches;
    },
    get inboxPosts() {
      return inboxPosts;
    },
    async sign(inbox, kind, tag, total) {
      // The followed actor: the shared inbox's sidecar serves it at /ap/users/<nick>.
      const target = new URL("users/ann", new URL(".", inbox)).href;
      const made: SignedActivity[] = [];
      for (let start = 0; start < total; start += 256) {
        const batch = Array.from({ length: Math.min(256, total - start) }, async (_, j) => {
          const i = start + j;
          // Follow/Undo pairs stay with one sender: turn i and i+1 share it.
          const n = (kind === "follow" ? Math.floor(i / 2) : i) % count;
          const actor = ids[n] ?? "";
          const pair = kind === "follow" ? Math.floor(i / 2) : i;
          const id = `${actor}/activities/${tag}-${pair}${kind === "follow" && i % 2 ? "-u" : ""}`;
          const body = JSON.stringify(activity(kind, actor, id, target, i));
          const signed = await signRequest(
            new Request(inbox, {
              method: "POST",
              headers: { "content-type": "application/activity+json" },
              body,
            }),
            keys[n]?.privateKey as never,
            new URL(`${actor}#main-key`),
            { spec: "draft-cavage-http-signatures-12" },
          );
          return { key: id, headers: Object.fromEntries(signed.headers.entries()), body };
        });
        made.push(...(await Promise.all(batch)));
      }
      return made;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
