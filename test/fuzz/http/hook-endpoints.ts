/** Fuzzed hook requests: bodies signed right, with another secret, stale, malformed or replayed. */
import fc from "fast-check";
import {
  HOOK_SIGNATURE_HEADER,
  HOOK_TIMESTAMP_HEADER,
  signHook,
} from "../../../contract/hook-signature.js";
import { hostileText } from "../property.js";
import { keysIn } from "./journal.js";
import { paramValue } from "./param-values.js";
import { HOOK_SECRET } from "./provider-world.js";
import type { FuzzRequest } from "./sender.js";
import { type Built, garbage, type WorldEndpoint } from "./world-cases.js";

export type SignKind =
  | "right"
  | "other-secret"
  | "stale"
  | "future"
  | "malformed"
  | "missing"
  | "replay";
export const signKind = fc.constantFrom<SignKind>(
  "right",
  "right",
  "right",
  "other-secret",
  "stale",
  "future",
  "malformed",
  "missing",
  "replay",
);

/** Signed requests sent intact, for replays (bounded). */
const replays: FuzzRequest[] = [];
/** Replays pick among requests built at least this many requests ago (concurrency is 4). */
const REPLAY_DISTANCE = 16;

/** Hook headers over `text` as `kind` says; whether the signature is right. */
export function hookHeaders(
  kind: SignKind,
  text: string,
  junk: string,
): { headers: string[]; right: boolean } {
  const now = Math.floor(Date.now() / 1000);
  const at = kind === "stale" ? now - 1000 : kind === "future" ? now + 1000 : now;
  const h = signHook(kind === "other-secret" ? `${HOOK_SECRET}x` : HOOK_SECRET, text, at);
  if (kind === "missing") return { headers: [], right: false };
  if (kind === "malformed") {
    return {
      headers: [
        HOOK_TIMESTAMP_HEADER,
        junk.replace(/[^\x20-\x7e]/g, ""),
        HOOK_SIGNATURE_HEADER,
        `sha1=${junk.length}`,
      ],
      right: false,
    };
  }
  const headers = [
    HOOK_TIMESTAMP_HEADER,
    h[HOOK_TIMESTAMP_HEADER] ?? "",
    HOOK_SIGNATURE_HEADER,
    h[HOOK_SIGNATURE_HEADER] ?? "",
  ];
  return { headers, right: kind === "right" };
}

/** What the hook endpoints make of a body: {} when blank, a JSON object, or null (refused). */
function hookObject(text: string): Record<string, unknown> | null {
  if (text.trim() === "") return {};
  try {
    const v: unknown = JSON.parse(text);
    return v !== null && typeof v === "object" && !Array.isArray(v)
      ? (v as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

/** Hook bodies: empty, JSON objects (commands), other JSON, text. */
function hookBody(commands: boolean): fc.Arbitrary<string> {
  const command = fc.record(
    {
      command: fc.oneof(
        fc.constantFrom("sync", "sync", "remove-subscriber", "remove-following"),
        hostileText(12),
      ),
      uri: paramValue,
      source: hostileText(60),
    },
    { requiredKeys: commands ? ["command"] : [] },
  );
  return fc
    .oneof(
      { weight: 6, arbitrary: command.map((o) => JSON.stringify(o)) },
      fc.constant(""),
      fc.jsonValue({ maxDepth: 2 }).map((j) => JSON.stringify(j) ?? "null"),
      hostileText(80),
    )
    .map((t) => t.replace(/\p{Cs}/gu, "\uFFFD"));
}

export function hookEndpoint(path: string, commands: boolean): WorldEndpoint {
  return {
    name: `POST ${path}`,
    cases: () =>
      fc.oneof(
        garbage(path, ["command", "source"]),
        fc
          .tuple(hookBody(commands), signKind, hostileText(20), fc.nat())
          .map(([body, kind, junk, pick]) => (): Built => {
            // only requests sent a while ago: a recent one may not have been answered yet
            const old = replays.length - REPLAY_DISTANCE;
            if (kind === "replay" && old > 0) {
              const request = replays[pick % old] as FuzzRequest;
              return { request, mayServe: () => false };
            }
            const object = hookObject(body);
            const signAs = kind === "replay" ? "right" : kind;
            const { headers, right } = hookHeaders(signAs, body, junk);
            const request: FuzzRequest = {
              method: "POST",
              path,
              headers: ["content-type", "application/json", ...headers],
              body: Buffer.from(body, "utf8"),
            };
            if (right && replays.length < 200) replays.push(request);
            const ok = right && object !== null && (!commands || object.command === "sync");
            return { request, mayServe: (s) => ok && s === 200 };
          }),
      ),
    // a sync of an unchanged manifest writes its sync state; signatures are remembered
    checkWrites: (w, answered) => {
      const stray = [...w.byTable.keys()].filter((t) => t !== "nonces" && t !== "meta");
      if (stray.length > 0) return `wrote to ${stray.join(", ")}`;
      const meta = keysIn(w, "meta");
      const odd = meta.filter((k) => k !== "sync" && k !== "outboundHead");
      if (odd.length > 0) return `wrote meta keys ${odd.join(", ")}`;
      const syncs = meta.filter((k) => k === "sync").length;
      const served = answered.filter((a) => a.built.request.method === "POST" && a.status === 200);
      return syncs <= served.length ? null : `${syncs} syncs for ${served.length} accepted hooks`;
    },
  };
}
