/** Receives postNotice from followed authors: push verified, fields and license checked, notice stored. */
import { OMB } from "../../protocol/omb/constants.js";
import { isLicenseCompatible } from "../../protocol/omb/license.js";
import type { OAuthParams } from "../../protocol/omb/oauth.js";
import {
  OmbValidationError,
  validateNoticeParams,
  validateOmbVersion,
} from "../../protocol/omb/validate.js";
import type { Context } from "../context.js";
import type { InboxNotice } from "../store/types.js";
import { PushFieldError, verifyPush } from "./inbound-verify.js";
import { siteLicense } from "./provider-profile.js";

/** What `ctx.events` carries: "inbox" with the new notice, "following" with the author's URI. */

/** Runs a protocol/omb/validate check, turning its error into a 400 that names the field. */
export function checkFields(check: () => void): void {
  try {
    check();
  } catch (e) {
    if (e instanceof OmbValidationError) throw new PushFieldError(e.message);
    throw e;
  }
}

/**
 * Refuses pushed content whose license the site cannot republish under its own: a 400
 * naming `field`. The callers decide when it applies ("statusnet-0.9" mode).
 */
export async function checkLicense(
  ctx: Pick<Context, "config" | "siteProfile">,
  field: string,
  sent: string,
): Promise<void> {
  const ours = await siteLicense(ctx);
  if (!isLicenseCompatible(sent, ours, ctx.config.licenseMode)) {
    throw new PushFieldError(
      `${field}: "${sent}" cannot be republished under this site's license ${ours}`,
    );
  }
}

/**
 * postNotice from someone the site follows (OMB.md §4): authenticated by `verifyPush`,
 * then the version, every field and (in "statusnet-0.9" mode, when sent) the notice's
 * license are checked. A notice URI we already hold is acknowledged and ignored, so a
 * sender retrying after a lost answer does not fail. Returns whether it was new.
 */
export async function receiveNotice(
  ctx: Pick<Context, "config" | "store" | "siteProfile" | "log" | "events">,
  params: OAuthParams,
): Promise<boolean> {
  // The nonce's journal line is durable once the notice's (written after it) is: one wait.
  const following = await verifyPush(ctx, "postNotice", params, { durable: false });
  const listenee = following.id;
  checkFields(() => validateOmbVersion(params[OMB.version]));
  checkFields(() => validateNoticeParams(params, { maxContentChars: ctx.config.maxNoticeChars }));
  const noticeLicense = params[OMB.noticeLicense] ?? "";
  if (noticeLicense !== "" && ctx.config.licenseMode === "statusnet-0.9") {
    await checkLicense(ctx, OMB.noticeLicense, noticeLicense);
  }
  const seealso = params[OMB.seealso] ?? "";
  const notice: InboxNotice = {
    protocol: "omb",
    uri: params[OMB.notice] ?? "",
    listeneeUri: listenee,
    content: params[OMB.noticeContent] ?? "",
    url: params[OMB.noticeUrl] || (params[OMB.notice] ?? ""),
    license: noticeLicense || following.profile.license,
    receivedAt: new Date().toISOString(),
  };
  if (seealso !== "") {
    notice.seealso = {
      url: seealso,
      disposition: params[OMB.seealsoDisposition] || "link",
      mediatype: params[OMB.seealsoMediatype] ?? "",
      license: params[OMB.seealsoLicense] ?? "",
    };
  }
  const added = await ctx.store.addInbox(notice);
  if (added) ctx.events.emit("inbox", notice);
  else {
    ctx.log.info({ notice: notice.uri, listenee }, "notice already received; ignored");
  }
  return added;
}
