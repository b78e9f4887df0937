/** The script behind the Reply, Like, Boost and Follow buttons, written to one file the buttons load. */

/**
 * Where the build writes the script, under the site's URL (its path kept). A file of the
 * site's own, not an inline script, so a Content-Security-Policy of `script-src 'self'`
 * allows it as it is.
 */
export const BUTTONS_SCRIPT_PATH = "/federation/interactions.js";

/** Where the script keeps the visitor's handle (localStorage; no cookie). */
export const HANDLE_STORAGE_KEY = "eleventy-federation.handle";

/**
 * The script: no dependencies, nothing sent anywhere but to the visitor's own instance.
 * Each form (renderButtons) carries the post's object id and the site's actor in data
 * attributes; every button submits the form (so it works without the script). The script
 * fills in the handle typed last time, and on a press asks the visitor's instance by WebFinger
 * (Mastodon answers with CORS `*`) for its OStatus subscribe template, filled with the
 * post's object id (Follow: the actor). Without one, Reply, Like and Boost go to
 * `authorize_interaction?uri=` (Mastodon's page), and Follow submits the form to the sidecar,
 * which asks the instance itself. Running it twice (one <script> per form) binds each form once.
 */
export const BUTTONS_SCRIPT = `/* eleventy-federation: the Reply, Like, Boost and Follow buttons. The visitor's handle stays in localStorage; no cookie. */
(function () {
  "use strict";
  var KEY = ${JSON.stringify(HANDLE_STORAGE_KEY)};
  var SUBSCRIBE = "http://ostatus.org/schema/1.0/subscribe";

  function remembered() {
    try { return window.localStorage.getItem(KEY) || ""; } catch (e) { return ""; }
  }
  function remember(handle) {
    try { window.localStorage.setItem(KEY, handle); } catch (e) { /* storage refused: no memory */ }
  }

  /* "@user@instance", "user@instance" or "acct:user@instance": { user, host }, or null. */
  function parseHandle(value) {
    var m = /^@?([^@\\s\\/?#:]{1,64})@([^@\\s\\/?#]{1,253})$/.exec(value.trim().replace(/^acct:/i, ""));
    if (!m) return null;
    var url;
    try { url = new URL("https://" + m[2] + "/"); } catch (e) { return null; }
    if (url.hostname.indexOf(".") < 0 && url.hostname !== "localhost") return null;
    return { user: m[1], host: url.host };
  }

  function httpOnly(href) {
    try {
      var url = new URL(href);
      return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
    } catch (e) { return null; }
  }

  /* The instance's interaction page for uri, from its WebFinger subscribe template; null if none. */
  function fromWebFinger(handle, uri) {
    var resource = "acct:" + handle.user + "@" + handle.host;
    var init = { headers: { accept: "application/jrd+json, application/json" }, credentials: "omit", referrerPolicy: "no-referrer" };
    if (typeof AbortSignal !== "undefined" && AbortSignal.timeout) init.signal = AbortSignal.timeout(8000);
    return fetch("https://" + handle.host + "/.well-known/webfinger?resource=" + encodeURIComponent(resource), init)
      .then(function (res) { return res.ok ? res.json() : null; })
      .then(function (jrd) {
        var links = jrd && Array.isArray(jrd.links) ? jrd.links : [];
        for (var i = 0; i < links.length; i++) {
          var l = links[i];
          if (l && l.rel === SUBSCRIBE && typeof l.template === "string" && l.template.indexOf("{uri}") >= 0) {
            return httpOnly(l.template.split("{uri}").join(encodeURIComponent(uri)));
          }
        }
        return null;
      })
      .catch(function () { return null; });
  }

  function bind(form) {
    if (form.getAttribute("data-federation-bound") !== null) return;
    form.setAttribute("data-federation-bound", "");
    var input = form.querySelector("input[name=profile_url]");
    var status = form.querySelector(".federation-buttons-status");
    if (!input) return;
    if (!input.value) input.value = remembered();
    var busy = false;
    function say(text) { if (status) status.textContent = text; }

    function go(action) {
      if (busy) return;
      var handle = parseHandle(input.value);
      if (!handle) {
        say("Type your handle as @you@your.instance, then press the button again.");
        input.focus();
        return;
      }
      remember("@" + handle.user + "@" + handle.host);
      var follow = action === "follow";
      var uri = form.getAttribute(follow ? "data-federation-actor" : "data-federation-object") || "";
      busy = true;
      say("Asking " + handle.host + "…");
      fromWebFinger(handle, uri).then(function (page) {
        busy = false;
        if (page) window.location.assign(page);
        else if (follow) form.submit();
        else window.location.assign("https://" + handle.host + "/authorize_interaction?uri=" + encodeURIComponent(uri));
      });
    }

    // Every button submits (so the form works without this script); Enter means Follow.
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var button = event.submitter;
      go((button && button.getAttribute("data-federation-action")) || "follow");
    });
  }

  var forms = document.querySelectorAll("form[data-federation-buttons]");
  for (var i = 0; i < forms.length; i++) bind(forms[i]);
})();
`;
