/** Tests of the sidecar's html template: remote text cleaned as text, attributes kept. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { html, page } from "./page.js";

const RLO = "\u202e";

test("text interpolated into html is cleaned of bidi controls and control characters", () => {
  const name = `Eve ${RLO}gnp.exe\u0007\u009b <b>`;
  const out = html`<p>${name} follows you</p><ul>${[html`<li>${"\u2066x\u2069"}</li>`]}</ul>`.value;
  assert.equal(out, "<p>Eve gnp.exe &lt;b&gt; follows you</p><ul><li>x</li></ul>");
});

test("inside a tag values are escaped but kept (hidden fields round-trip), as text cleaned", () => {
  const uri = `http://eve.example/?q=${RLO}"`;
  const out = html`<input type="hidden" name="uri" value="${uri}"><a href="${uri}">${uri}</a>`
    .value;
  assert.equal(
    out,
    `<input type="hidden" name="uri" value="http://eve.example/?q=${RLO}&quot;"><a href="http://eve.example/?q=${RLO}&quot;">http://eve.example/?q=&quot;</a>`,
  );
});

test("the page title is cleaned too", () => {
  assert.match(page(`Follow ${RLO}eve?`, html``), /<title>Follow eve\?<\/title>/);
});
