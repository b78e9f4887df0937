/** The OMB profile as it travels on the wire, and its conversion to and from omb_<role>_<field> params. */
import { PROFILE_FIELDS, type ProfileField, profileParam } from "./constants.js";

/**
 * An OMB profile as it travels on the wire: the identifier URI plus the eight profile
 * fields. An empty string means "not set" (and, in updateProfile, "cleared").
 */
export interface OmbProfile {
  /** Identifier URI (`omb_listenee` / `omb_listener`): for our site, the site URL. */
  uri: string;
  /** Profile URL (`…_profile`). */
  profile: string;
  nickname: string;
  license: string;
  fullname: string;
  homepage: string;
  bio: string;
  location: string;
  /** Avatar URL, ideally a 96×96 PNG, GIF or JPEG. */
  avatar: string;
}

/** The profile as `omb_<role>_<field>` parameters. `onlySet` leaves empty fields out. */
export function profileToParams(
  role: "listenee" | "listener",
  profile: OmbProfile,
  { onlySet }: { onlySet: boolean },
): Record<string, string> {
  const params: Record<string, string> = {};
  for (const field of PROFILE_FIELDS) {
    const value = profile[field];
    if (onlySet && value === "") continue;
    params[profileParam(role, field)] = value;
  }
  return params;
}

/** Reads `omb_<role>_<field>` parameters; a missing one becomes "". */
export function profileFromParams(
  role: "listenee" | "listener",
  uri: string,
  params: Readonly<Record<string, string | undefined>>,
): OmbProfile {
  const profile = { uri } as OmbProfile;
  for (const field of PROFILE_FIELDS) profile[field] = params[profileParam(role, field)] ?? "";
  return profile;
}

/** The fields (identifier URI included) whose values differ between two profiles. */
export function changedProfileFields(a: OmbProfile, b: OmbProfile): (ProfileField | "uri")[] {
  const fields: (ProfileField | "uri")[] = ["uri", ...PROFILE_FIELDS];
  return fields.filter((f) => a[f] !== b[f]);
}
