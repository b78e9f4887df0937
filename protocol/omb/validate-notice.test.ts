/** validateNoticeParams and validateOmbVersion: the postNotice fields and the OMB version. */
import { describe, it } from "node:test";
import { OMB_VERSION } from "./constants.js";
import { type OmbRule, validateNoticeParams, validateOmbVersion } from "./validate.js";
import { throwsRule } from "./validate.test-helper.js";

describe("validateNoticeParams", () => {
  // The captured postNotice (alice-8001-wire): unicode content, all optional URL fields.
  const captured = {
    omb_version: OMB_VERSION,
    omb_listenee: "http://127.0.0.1:8002/user/2",
    omb_notice: "http://127.0.0.1:8002/notice/1",
    omb_notice_content: "Hello from bob via libomb! & ünïcödé + 100% <ok>",
    omb_notice_license: "http://creativecommons.org/licenses/by/3.0/",
    omb_notice_url: "http://127.0.0.1:8002/notice/1",
  };
  const check = (
    p: Record<string, string | undefined>,
    field: string,
    rule: OmbRule,
    max?: number,
  ) =>
    throwsRule(
      () => validateNoticeParams({ ...captured, ...p }, { maxContentChars: max }),
      field,
      rule,
    );

  it("accepts the captured notice and a full seealso set", () => {
    validateNoticeParams(captured);
    validateNoticeParams({
      ...captured,
      omb_seealso: "http://127.0.0.1:8002/file/1.png",
      omb_seealso_disposition: "inline",
      omb_seealso_mediatype: "image/png",
      omb_seealso_license: "http://creativecommons.org/licenses/by-sa/3.0/",
    });
  });

  it("omb_notice: required, valid URI, ≤255 bytes", () => {
    check({ omb_notice: undefined }, "omb_notice", "required");
    check({ omb_notice: "" }, "omb_notice", "required");
    check({ omb_notice: "tag:127.0.0.1,2009:notice/1" }, "omb_notice", "uri");
    check({ omb_notice: `http://a.example/${"n".repeat(239)}` }, "omb_notice", "max-bytes");
  });

  it("omb_notice_content: required and ≤140 characters (code points, not bytes)", () => {
    check({ omb_notice_content: undefined }, "omb_notice_content", "required");
    check({ omb_notice_content: "" }, "omb_notice_content", "required");
    validateNoticeParams({ ...captured, omb_notice_content: "ü".repeat(140) });
    validateNoticeParams({ ...captured, omb_notice_content: "😀".repeat(140) });
    check({ omb_notice_content: "😀".repeat(141) }, "omb_notice_content", "max-chars");
    check({ omb_notice_content: "x".repeat(11) }, "omb_notice_content", "max-chars", 10);
    validateNoticeParams(
      { ...captured, omb_notice_content: "x".repeat(5000) },
      { maxContentChars: 0 },
    );
  });

  it("optional URL fields: valid when present, empty means absent", () => {
    for (const field of [
      "omb_notice_url",
      "omb_notice_license",
      "omb_seealso",
      "omb_seealso_license",
    ]) {
      check({ [field]: "not a url" }, field, "uri");
      validateNoticeParams({ ...captured, [field]: "" });
    }
  });

  it("omb_seealso_disposition is link or inline", () => {
    validateNoticeParams({ ...captured, omb_seealso_disposition: "link" });
    check({ omb_seealso_disposition: "Link" }, "omb_seealso_disposition", "disposition");
    check({ omb_seealso_disposition: "attachment" }, "omb_seealso_disposition", "disposition");
  });

  it("omb_seealso_mediatype is type/subtype with a known main type (any case)", () => {
    for (const t of [
      "image/png",
      "IMAGE/png",
      "image/svg+xml",
      "application/vnd.a-b.c",
      "text/plain",
    ]) {
      validateNoticeParams({ ...captured, omb_seealso_mediatype: t });
    }
    for (const t of [
      "font/woff",
      "image",
      "image/",
      "/png",
      "image/png; q=1",
      "x-foo/bar",
      "image/p/ng",
    ]) {
      check({ omb_seealso_mediatype: t }, "omb_seealso_mediatype", "mediatype");
    }
  });
});

describe("validateOmbVersion", () => {
  it("accepts exactly the OMB 0.1 URI", () => validateOmbVersion(OMB_VERSION));
  it("requires it", () => {
    throwsRule(() => validateOmbVersion(undefined), "omb_version", "required");
    throwsRule(() => validateOmbVersion(""), "omb_version", "required");
  });
  it("rejects anything else", () => {
    throwsRule(() => validateOmbVersion(`${OMB_VERSION}/`), "omb_version", "version");
    throwsRule(
      () => validateOmbVersion("http://openmicroblogging.org/protocol/0.2"),
      "omb_version",
      "version",
    );
    throwsRule(
      () => validateOmbVersion(OMB_VERSION.replace("http", "https")),
      "omb_version",
      "version",
    );
  });
});
