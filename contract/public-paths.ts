/**
 * The paths of the sidecar's public endpoints, relative to its base URL (the plugin's
 * `sidecarUrl` option). The plugin writes them into the XRDS and the subscribe form; the
 * sidecar mounts its routes on them. One object, so the two halves cannot drift apart.
 */
export const SIDECAR_PATHS = {
  /** OAuth provider: request token (the site as listener). */
  requestToken: "/omb/requesttoken",
  /** OAuth provider: the owner approves a remote listenee (needs the owner's login). */
  authorize: "/omb/userauthorization",
  /** OAuth provider: access token. */
  access: "/omb/accesstoken",
  /** OMB: remote services push their notices here. */
  postNotice: "/omb/postnotice",
  /** OMB: remote services push profile changes here. */
  updateProfile: "/omb/updateprofile",
  /** Target of the subscribe form on the site (the site as listenee, OAuth consumer). */
  subscribe: "/omb/subscribe",
  /** Where the listener's service sends the browser back after approval (oauth_callback). */
  finishSubscribe: "/omb/finishsubscribe",
  /** Deploy hook: a build tells the sidecar to read the published manifest. */
  hook: "/hooks/deploy",
  /** Signed commands for a running sidecar (the CLI, while the sidecar holds the store). */
  hookCommand: "/hooks/command",
} as const;

export type SidecarEndpoint = keyof typeof SIDECAR_PATHS;

/**
 * The absolute URL of one sidecar endpoint. A base with a path (`https://host/fed/`) keeps
 * it: the endpoint path is appended, not resolved against the host root.
 */
export function sidecarEndpointUrl(sidecarUrl: string, endpoint: SidecarEndpoint): string {
  return sidecarUrl.replace(/\/+$/, "") + SIDECAR_PATHS[endpoint];
}
