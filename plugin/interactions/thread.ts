/** A post's replies as a thread: each reply under the one it answers, by `inReplyTo`. */
import type { ExportedReply } from "../../contract/interactions-export.js";

export interface ReplyNode {
  reply: ExportedReply;
  children: ReplyNode[];
}

/** Nesting levels shown; replies deeper than this line up at the last level, in thread order. */
export const MAX_THREAD_DEPTH = 6;

/**
 * The replies as a forest, in the export's order (oldest first) among siblings. A reply
 * whose `inReplyTo` is another reply's id (or its url) sits under it; one answering the post,
 * or a reply that is not shown (pending, hidden, deleted), is at the top. A loop of replies
 * answering each other (a broken or hostile export) is cut at its oldest reply. Each reply
 * appears once (the first of a repeated id).
 */
export function replyThread(replies: readonly ExportedReply[]): ReplyNode[] {
  const ids = new Set<string>();
  const unique = replies.filter((r) => !ids.has(r.id) && ids.add(r.id));
  const byKey = new Map<string, ExportedReply>();
  for (const r of unique) byKey.set(r.id, r);
  for (const r of unique) if (!byKey.has(r.url)) byKey.set(r.url, r);
  const children = new Map<ExportedReply, ExportedReply[]>();
  const tops: ExportedReply[] = [];
  for (const r of unique) {
    const parent = byKey.get(r.inReplyTo);
    if (!parent || parent === r) tops.push(r);
    else children.set(parent, [...(children.get(parent) ?? []), r]);
  }

  const roots: ReplyNode[] = [];
  const placed = new Set<ExportedReply>();
  // Depth-first with a stack of its own: a long chain of replies must not exhaust the call stack.
  const place = (top: ExportedReply) => {
    const stack = [{ reply: top, depth: 0, into: roots }];
    for (let item = stack.pop(); item; item = stack.pop()) {
      if (placed.has(item.reply)) continue;
      placed.add(item.reply);
      const node: ReplyNode = { reply: item.reply, children: [] };
      item.into.push(node);
      const deeper = item.depth + 1 < MAX_THREAD_DEPTH;
      const next = deeper
        ? { depth: item.depth + 1, into: node.children }
        : { depth: item.depth, into: item.into };
      for (const child of (children.get(item.reply) ?? []).toReversed()) {
        stack.push({ reply: child, ...next });
      }
    }
  };
  for (const r of tops) place(r);
  // Whatever no top reaches answers in a loop: its oldest reply starts a thread of its own.
  for (const r of unique) if (!placed.has(r)) place(r);
  return roots;
}
