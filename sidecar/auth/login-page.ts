/** The owner's login page: the password form, or how to set a password when none is configured. */
import { html, page } from "../web/page.js";
import { HASH_PASSWORD_COMMANDS } from "./password.js";

export interface LoginPageData {
  /** Where the form posts to (the public login URL). */
  action: string;
  csrf: string;
  /** Where to go after logging in. */
  next: string;
  /** Shown above the form, e.g. "Wrong password." */
  error?: string;
  /** False when FEDERATION_OWNER_PASSWORD_HASH is not set: nobody can log in yet. */
  configured: boolean;
}

/** The owner's login form (one password, no user name: the sidecar has a single owner). */
export function renderLoginPage(d: LoginPageData): string {
  if (!d.configured) {
    return page(
      "Owner login not set up",
      html`<h1>Owner login not set up</h1>
<p class="error">No owner password is configured, so nobody can log in to approve follows or see the status page.</p>
<p>Make a hash of a password where the sidecar is installed:</p>
<pre><code>printf %s 'your password' | ${HASH_PASSWORD_COMMANDS.installed}</code></pre>
<p>(in a checkout of eleventy-federation: <code>printf %s 'your password' | ${HASH_PASSWORD_COMMANDS.checkout}</code>),
put the printed line in the environment variable <code>FEDERATION_OWNER_PASSWORD_HASH</code> of the sidecar, and restart it.
<code>npm start</code> in a checkout makes a one-time password for you and prints it.</p>`,
    );
  }
  return page(
    "Log in",
    html`<h1>Log in as the site's owner</h1>
${d.error ? html`<p class="error">${d.error}</p>` : ""}
<form method="post" action="${d.action}">
<input type="hidden" name="csrf" value="${d.csrf}">
<input type="hidden" name="next" value="${d.next}">
<p><label>Password <input type="password" name="password" autocomplete="current-password" required autofocus></label></p>
<p><button type="submit">Log in</button></p>
</form>`,
  );
}
