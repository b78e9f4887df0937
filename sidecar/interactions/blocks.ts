/**
 * The owner's blocks: single accounts (by actor id) and whole domains (a host and its
 * subdomains). Blocked activities are refused at the inbox before their signature is
 * checked. Kept as one store entry; read through a short cache, so a block made by another
 * process on a shared store applies within CACHE_MS (at once in the process that made it).
 */
import type { Store } from "../store/store.js";
import { inDomain } from "./records.js";

const KEY = "moderation:blocks";
const CACHE_MS = 5000;
/** Far more than any owner types by hand; each check walks the lists. */
export const MAX_BLOCKS = 10_000;

export interface BlockList {
  actors: string[];
  domains: string[];
}

/** `example.com`, from a domain, a handle's domain or a URL; undefined when it is none. */
export function normalizeDomain(input: string): string | undefined {
  const s = input.trim().toLowerCase();
  const url = s.includes("://") ? s : `https://${s.replace(/^@?[^@/]*@/, "")}`;
  if (!URL.canParse(url)) return undefined;
  const host = new URL(url).hostname;
  return host && !host.startsWith(".") ? host : undefined;
}

/** The cached list per store: every Blocks of one process shares it, and a change clears it. */
const caches = new WeakMap<Store, { at: number; list: BlockList }>();

export class Blocks {
  readonly #store: Store;

  constructor(store: Store) {
    this.#store = store;
  }

  async list(): Promise<BlockList> {
    const now = Date.now();
    const cached = caches.get(this.#store);
    if (cached && now - cached.at < CACHE_MS) return cached.list;
    const stored = (await this.#store.kvGet(KEY)) as BlockList | undefined;
    const list = { actors: stored?.actors ?? [], domains: stored?.domains ?? [] };
    caches.set(this.#store, { at: now, list });
    return list;
  }

  /** True when this actor, or the domain of this actor or signing key, is blocked. */
  async blocks(actorId: string | undefined, keyId?: string): Promise<boolean> {
    const { actors, domains } = await this.list();
    if (actors.length === 0 && domains.length === 0) return false;
    if (actorId && actors.includes(actorId)) return true;
    const urls = [actorId, keyId].filter((u): u is string => !!u);
    return urls.some((u) => domains.some((d) => inDomain(u, d)));
  }

  /** Adds or removes one entry; false when nothing changed. */
  async change(kind: keyof BlockList, value: string, add: boolean): Promise<boolean> {
    for (let attempt = 0; attempt < 10; attempt++) {
      const stored = (await this.#store.kvGet(KEY)) as BlockList | undefined;
      const current = { actors: stored?.actors ?? [], domains: stored?.domains ?? [] };
      const has = current[kind].includes(value);
      if (has === add) return false;
      if (add && current[kind].length >= MAX_BLOCKS) {
        throw new Error(`at most ${MAX_BLOCKS} ${kind} can be blocked; unblock some first`);
      }
      const next = {
        ...current,
        [kind]: add ? [...current[kind], value] : current[kind].filter((v) => v !== value),
      };
      if (await this.#store.kvCas(KEY, stored, next)) {
        caches.delete(this.#store);
        return true;
      }
    }
    throw new Error("the block list kept changing under this change; try again");
  }
}
