/**
 * The XRDS document that advertises an OMB listener's OAuth and OMB endpoints (OMB.md §2,
 * §10.2): written in exactly libomb's shape, read as tolerantly as Laconica, StatusNet and
 * libomb wrote it. Pure code: fetching documents is the caller's job.
 */

export interface XrdsEndpoints {
  /** Identifier URI: LocalID of the request-token service (becomes `omb_listener`). */
  localId: string;
  request: string;
  authorize: string;
  access: string;
  postNotice: string;
  updateProfile: string;
}

export type XrdsErrorCode =
  | "not-xml"
  /** Over a cost cap of XRDS_LIMITS (xml-limits.ts): refused before parsing. */
  | "too-costly"
  | "doctype"
  | "not-xrds"
  | "no-entry-xrd"
  | "missing-service"
  | "missing-localid"
  | "external-reference";

export class XrdsError extends Error {
  override name = "XrdsError";
  /** For "external-reference": the XRDS URLs (no fragment) to fetch and pass as otherDocuments. */
  missingDocuments?: string[];

  constructor(
    readonly code: XrdsErrorCode,
    message: string,
    missingDocuments?: string[],
  ) {
    super(`XRDS: ${message}`);
    if (missingDocuments) this.missingDocuments = missingDocuments;
  }
}
