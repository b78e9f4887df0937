/** The status page's chart: deliveries and failures per day as inline SVG, with the numbers as a table. */
import type { DailyDeliveries } from "../store/types.js";
import { html, type SafeHtml } from "../web/page.js";

const WIDTH = 560;
const HEIGHT = 180;
const TOP = 16;
const BASE = 150;
const BAR = 14;
const DELIVERED_COLOR = "#2b7a3d";
const FAILED_COLOR = "#b3261e";

/** Failed attempts of a day: retried, refused and given up together. */
export function failuresOf(d: DailyDeliveries): number {
  return d.retried + d.refused + d.gaveUp;
}

/** The days' sums: what the chart's description and the table's last row say. */
export function totalsOf(days: readonly DailyDeliveries[]): Omit<DailyDeliveries, "day"> {
  const t = { delivered: 0, retried: 0, refused: 0, gaveUp: 0 };
  for (const d of days) {
    t.delivered += d.delivered;
    t.retried += d.retried;
    t.refused += d.refused;
    t.gaveUp += d.gaveUp;
  }
  return t;
}

function bar(x: number, value: number, max: number, color: string, label: string): SafeHtml {
  const h = value === 0 ? 0 : Math.max(1, Math.round(((BASE - TOP) * value) / max));
  return html`<rect x="${x}" y="${BASE - h}" width="${BAR}" height="${h}" fill="${color}"><title>${label}</title></rect>`;
}

/**
 * A bar pair per day (delivered, failed), oldest on the left. Accessible: the SVG is an
 * image named by its <title> and summed up by its <desc>; the table below holds every number.
 */
export function deliveryChart(days: readonly DailyDeliveries[]): SafeHtml {
  const max = Math.max(1, ...days.map((d) => Math.max(d.delivered, failuresOf(d))));
  const slot = WIDTH / Math.max(1, days.length);
  const t = totalsOf(days);
  const failed = t.retried + t.refused + t.gaveUp;
  const first = days[0]?.day ?? "";
  const last = days.at(-1)?.day ?? "";
  const desc = `From ${first} to ${last}: ${t.delivered} delivered, ${failed} failed (${t.retried} attempts retried, ${t.refused} refused, ${t.gaveUp} destinations given up). The tallest bar stands for ${max}.`;
  const bars = days.map((d, i) => {
    const x = Math.round(i * slot + slot / 2 - BAR);
    const label = `${d.day}: ${d.delivered} delivered, ${failuresOf(d)} failed`;
    const tick =
      i % 2 === days.length % 2 || i === days.length - 1
        ? html`<text x="${x + BAR}" y="${BASE + 16}" text-anchor="middle">${d.day.slice(5)}</text>`
        : "";
    return html`${bar(x, d.delivered, max, DELIVERED_COLOR, label)}${bar(x + BAR, failuresOf(d), max, FAILED_COLOR, label)}${tick}`;
  });
  const rows = days.map(
    (d) =>
      html`<tr><th scope="row">${d.day}</th><td>${d.delivered}</td><td>${d.retried}</td><td>${d.refused}</td><td>${d.gaveUp}</td></tr>`,
  );
  return html`<figure class="chart">
<svg role="img" aria-labelledby="chart-title chart-desc" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="100%" style="max-width:${WIDTH}px;height:auto" font-size="11" font-family="system-ui,sans-serif" fill="#555">
<title id="chart-title">Deliveries and failures per day, last ${days.length} days</title>
<desc id="chart-desc">${desc}</desc>
<line x1="0" y1="${BASE + 0.5}" x2="${WIDTH}" y2="${BASE + 0.5}" stroke="#bbb"/>
<text x="0" y="${TOP - 4}">${max}</text><line x1="0" y1="${TOP + 0.5}" x2="${WIDTH}" y2="${TOP + 0.5}" stroke="#eee"/>
${bars}
</svg>
<figcaption><span class="key" style="background:${DELIVERED_COLOR}"></span> delivered <span class="key" style="background:${FAILED_COLOR}"></span> failed (attempts retried, entries refused, destinations given up) — ${t.delivered} delivered and ${failed} failed in ${days.length} days</figcaption>
</figure>
<details><summary>The numbers, day by day</summary>
<table class="chart-numbers"><thead><tr><th scope="col">Day (UTC)</th><th scope="col">Delivered</th><th scope="col">Retried</th><th scope="col">Refused</th><th scope="col">Given up</th></tr></thead>
<tbody>${rows}</tbody>
<tfoot><tr><th scope="row">Total</th><td>${t.delivered}</td><td>${t.retried}</td><td>${t.refused}</td><td>${t.gaveUp}</td></tr></tfoot></table>
</details>`;
}
