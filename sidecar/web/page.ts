/** The sidecar's own HTML: an auto-escaping `html` tagged template and the page shell with its style. */
import escapeHtml from "escape-html";
import { cleanRemoteText } from "../../contract/remote-text.js";

/** Marks a string as already-escaped HTML. Everything else given to `html` is escaped. */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

type Interpolation = string | number | SafeHtml | null | undefined | readonly Interpolation[];

function render(v: Interpolation, text: boolean): string {
  if (v === null || v === undefined) return "";
  if (v instanceof SafeHtml) return v.value;
  if (Array.isArray(v)) return v.map((x) => render(x, text)).join("");
  const s = String(v);
  return escapeHtml(text ? cleanRemoteText(s) : s);
}

/**
 * Tagged template: interpolated values are HTML-escaped unless they are SafeHtml. Values
 * shown as text are cleaned too (contract/remote-text.ts): most are from other sites, so
 * no sidecar page shows their bidi controls or control characters. Values inside a tag
 * (attributes: links, hidden fields posted back) are only escaped, so they round-trip.
 */
export function html(strings: TemplateStringsArray, ...values: Interpolation[]): SafeHtml {
  let out = strings[0] ?? "";
  values.forEach((v, i) => {
    // Escaped values hold no `<` or `>`: an open `<` after the last `>` means inside a tag.
    const inTag = out.lastIndexOf("<") > out.lastIndexOf(">");
    out += render(v, !inTag) + (strings[i + 1] ?? "");
  });
  return new SafeHtml(out);
}

const STYLE = `body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;color:#222}
h1{font-size:1.4rem}.step{color:#666;font-size:.9rem}.card{border:1px solid #ddd;border-radius:6px;padding:1rem;margin:1rem 0}
.card img{float:right;width:96px;height:96px}button{font:inherit;padding:.4rem 1rem;margin-right:.5rem}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #eee;padding:.3rem;text-align:left;vertical-align:top}
.error{color:#a00}`;

/** A whole HTML page of the sidecar's own (error pages, authorize page, status page). */
export function page(title: string, body: SafeHtml): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>${escapeHtml(cleanRemoteText(title))}</title><style>${STYLE}</style></head>
<body>${body.value}</body></html>`;
}
