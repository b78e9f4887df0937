/** Signs and verifies deploy-hook requests: HMAC-SHA256 over timestamp and body, within a replay window. */
import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * The deploy hook's signature (DESIGN.md "Hook"): HMAC-SHA256 over `<timestamp>.<body>`
 * keyed by the shared secret, sent as two headers. The timestamp bounds replays to a
 * window; the receiver also remembers signatures inside that window.
 */
export const HOOK_TIMESTAMP_HEADER = "x-federation-timestamp";
export const HOOK_SIGNATURE_HEADER = "x-federation-signature";
export const HOOK_WINDOW_SECONDS = 300;

export function signHook(
  secret: string,
  body: string,
  timestamp = Math.floor(Date.now() / 1000),
): Record<string, string> {
  const mac = createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex");
  return { [HOOK_TIMESTAMP_HEADER]: String(timestamp), [HOOK_SIGNATURE_HEADER]: `sha256=${mac}` };
}

export type HookCheck = { ok: true; timestamp: number } | { ok: false; reason: string };

/** Checks a hook request's signature (constant time) and timestamp window. */
export function verifyHook(
  secret: string,
  body: string,
  timestampHeader: string | undefined,
  signatureHeader: string | undefined,
  now = Math.floor(Date.now() / 1000),
): HookCheck {
  if (!timestampHeader || !/^\d{1,12}$/.test(timestampHeader)) {
    return { ok: false, reason: `missing or malformed ${HOOK_TIMESTAMP_HEADER} header` };
  }
  const timestamp = Number(timestampHeader);
  if (Math.abs(now - timestamp) > HOOK_WINDOW_SECONDS) {
    return {
      ok: false,
      reason: `timestamp is more than ${HOOK_WINDOW_SECONDS} s away from the server's clock`,
    };
  }
  const given = /^sha256=([0-9a-f]{64})$/i.exec(signatureHeader ?? "")?.[1];
  if (!given) return { ok: false, reason: `missing or malformed ${HOOK_SIGNATURE_HEADER} header` };
  const expected = createHmac("sha256", secret).update(`${timestamp}.${body}`).digest();
  if (!timingSafeEqual(expected, Buffer.from(given, "hex")))
    return { ok: false, reason: "signature does not match" };
  return { ok: true, timestamp };
}
