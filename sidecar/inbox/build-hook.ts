/** Calls the configured site build hook (an empty POST); failures are logged, never thrown. */
import type { Context } from "../context.js";

/**
 * Calls the configured site build hook (a Netlify-style URL: an empty POST starts a build).
 * The URL comes from the operator's config, so it goes through `siteHttp`, which may reach
 * the same machine. Failures are logged, never thrown: the notices are stored either way.
 */
export async function callBuildHook(
  ctx: Pick<Context, "config" | "siteHttp" | "log">,
): Promise<void> {
  const url = ctx.config.buildHook.url;
  if (!url) return;
  try {
    const res = await ctx.siteHttp.postForm(url, "");
    if (res.status >= 200 && res.status < 300)
      ctx.log.info({ status: res.status }, "site build hook called");
    else
      ctx.log.warn(
        { status: res.status, body: res.body.slice(0, 200) },
        "site build hook refused the call; check buildHook.url",
      );
  } catch (err) {
    // The URL is a secret (whoever has it can start builds): keep it out of the log.
    let reason = err instanceof Error ? err.message : String(err);
    for (const form of [url, URL.canParse(url) ? new URL(url).href : url])
      reason = reason.replaceAll(form, "<buildHook.url>");
    ctx.log.warn({ reason }, "site build hook could not be reached; check buildHook.url");
  }
}
