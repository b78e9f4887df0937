/**
 * Checks of an inbox POST before Fedify reads it:
 * - the signing key must live on the actor's server. Fedify 2.3.6 takes a key document's
 *   `owner` at its word (doesActorOwnKey compares `owner` with the activity's actor and
 *   never asks the actor), so a key served anywhere, naming someone else as its owner, would
 *   let its holder act as them (found by test/fuzz). Mastodon's keys, like every server's we
 *   know, sit in the actor's document, on its origin.
 * - the body must be a JSON object nested at most MAX_DEPTH deep (JSON-LD processing
 *   recurses: a deeply nested body overflowed its stack as a 500).
 */
export const MAX_DEPTH = 64;

export interface Refusal {
  status: 400 | 401;
  message: string;
}

/** The keyId a request is signed with (draft-cavage or RFC 9421), if any. */
export function signingKeyId(headers: Headers): string | undefined {
  const cavage = /(?:^|,)\s*keyId="([^"]*)"/i.exec(headers.get("signature") ?? "");
  if (cavage) return cavage[1];
  return /;\s*keyid="([^"]*)"/i.exec(headers.get("signature-input") ?? "")?.[1];
}

function depthWithin(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  let seen = 0;
  while (stack.length > 0) {
    const [v, depth] = stack.pop() as [unknown, number];
    if (v === null || typeof v !== "object") continue;
    if (depth > max || ++seen > 200_000) return false;
    for (const child of Object.values(v)) stack.push([child, depth + 1]);
  }
  return true;
}

function originOf(url: unknown): string | undefined {
  const href = typeof url === "string" ? url : (url as { id?: unknown } | null)?.id;
  if (typeof href !== "string" || !URL.canParse(href)) return undefined;
  return new URL(href).origin;
}

/**
 * Who an inbox POST says it is from, before anything is verified (what a block refuses: a
 * forger naming a blocked sender is refused too, which costs nobody anything).
 */
export interface ClaimedSender {
  actor?: string;
  keyId?: string;
}

export type InboxPostCheck = { refusal: Refusal } | { refusal: null; sender: ClaimedSender };

/** A refusal for this inbox POST, or its claimed sender to let Fedify verify and handle it. */
export function checkInboxPost(headers: Headers, body: Uint8Array): InboxPostCheck {
  const checked = check(headers, body);
  return "status" in checked ? { refusal: checked } : { refusal: null, sender: checked };
}

function check(headers: Headers, body: Uint8Array): Refusal | ClaimedSender {
  let activity: unknown;
  try {
    activity = JSON.parse(Buffer.from(body).toString("utf8"));
  } catch {
    return { status: 400, message: "The body is not JSON." };
  }
  if (activity === null || typeof activity !== "object" || Array.isArray(activity)) {
    return { status: 400, message: "The body is not an activity (a JSON object)." };
  }
  if (!depthWithin(activity, MAX_DEPTH)) {
    return { status: 400, message: `The activity is nested deeper than ${MAX_DEPTH} levels.` };
  }
  const keyId = signingKeyId(headers);
  const actor = (activity as { actor?: unknown }).actor;
  const first: unknown = Array.isArray(actor) ? actor[0] : actor;
  const actorOrigin = originOf(first);
  if (keyId !== undefined && actorOrigin !== undefined && originOf(keyId) !== actorOrigin) {
    return {
      status: 401,
      message: "The signing key is not on the actor's server: the key must be the actor's own.",
    };
  }
  const actorId = typeof first === "string" ? first : (first as { id?: unknown } | null)?.id;
  return {
    ...(typeof actorId === "string" ? { actor: actorId } : {}),
    ...(keyId ? { keyId } : {}),
  };
}
