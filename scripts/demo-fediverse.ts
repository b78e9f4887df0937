/**
 * The demo's ActivityPub path: a real Fedify server (the interop tests' peer, when its
 * folder is installed) follows site A's actor, and every activity it receives from A is
 * printed, so a newcomer sees a post, an edit or a removal reach the fediverse.
 */
import { existsSync } from "node:fs";
import { apUrl } from "../contract/activitypub-paths.js";
import { type FedifyPeer, startFedifyPeer } from "../test/helpers/fedify-peer.js";
import type { SiteInstance } from "./demo-sites.js";

const PEER_MODULES = new URL("../test/fixtures/fedify-peer/node_modules/", import.meta.url);

export interface DemoPeer {
  handle: string;
  close(): Promise<void>;
}

/** Starts the peer and has it follow A; null (with the reason said) when it is not installed. */
export async function followFromFediverse(
  site: SiteInstance,
  say: (line: string) => void,
): Promise<DemoPeer | null> {
  if (!existsSync(PEER_MODULES)) {
    say(
      "(The fediverse peer is not installed: `npm ci --prefix test/fixtures/fedify-peer` adds it.)",
    );
    return null;
  }
  const peer = await startFedifyPeer();
  const actor = apUrl(site.url, "actor", { identifier: site.author.nickname });
  await peer.follow(actor);
  const seen = new Set<string>();
  const timer = setInterval(() => void report(peer, seen, say), 1000);
  return {
    handle: `peer@${new URL(peer.url).host}`,
    async close() {
      clearInterval(timer);
      await peer.close();
    },
  };
}

async function report(peer: FedifyPeer, seen: Set<string>, say: (line: string) => void) {
  const received = await peer.received().catch(() => []);
  for (const a of received) {
    const id = a.id ?? `${a.type} ${a.receivedAt}`;
    if (seen.has(id)) continue;
    seen.add(id);
    const object = a.object as { name?: string; content?: string; type?: string } | undefined;
    const what =
      object?.name ??
      String(object?.content ?? "")
        .replace(/<[^>]+>/g, " ")
        .trim()
        .slice(0, 60);
    say(
      `Fediverse: the peer received ${a.type}${object?.type ? `(${object.type})` : ""} from A, verified (${a.signature})${what ? `: ${what}` : ""}`,
    );
  }
}
