/** A status-page table: a header row and rows, or a sentence when there are none. */
import { html, type SafeHtml } from "../web/page.js";

export function table(head: string[], rows: SafeHtml[], empty: string): SafeHtml {
  if (rows.length === 0) return html`<p>${empty}</p>`;
  return html`<table><tr>${head.map((h) => html`<th>${h}</th>`)}</tr>${rows}</table>`;
}
