/**
 * Pictures of the counts, drawn on the server as accessible SVG (role="img", a title and a description) with a table
 * of the same numbers beside them: signatures over time (per day, or per hour for a letter's first three days) and
 * by country (the largest ten, then the rest). In the page's language, calendar and digits; mirrored right to left.
 * Presentation attributes only (the CSP allows no inline style).
 */
import type { LetterStats } from '../../../core/ports.ts';
import type { T } from '../../i18n/index.ts';
import { html, type SafeHtml } from './html.ts';

const W = 640;
const H = 220;
const PAD = { top: 16, bottom: 34, side: 44 };
const TOP_COUNTRIES = 10;

interface Bucket {
  at: string;
  count: number;
}

/** Hourly counts gathered into days (UTC) when they span more than three days; empty buckets filled in. */
export function timeBuckets(hourly: LetterStats['hourly']): { unit: 'hour' | 'day'; buckets: Bucket[] } {
  if (!hourly.length) return { unit: 'day', buckets: [] };
  const first = Date.parse(hourly[0]!.hour);
  const last = Date.parse(hourly[hourly.length - 1]!.hour);
  const unit = last - first <= 3 * 86_400_000 ? 'hour' : 'day';
  const step = unit === 'hour' ? 3_600_000 : 86_400_000;
  const start = Math.floor(first / step) * step;
  const n = Math.floor((last - start) / step) + 1;
  const counts = new Array<number>(n).fill(0);
  for (const h of hourly) counts[Math.floor((Date.parse(h.hour) - start) / step)]! += h.count;
  return { unit, buckets: counts.map((count, i) => ({ at: new Date(start + i * step).toISOString(), count })) };
}

/** Countries by count, the largest first (ties by code), the rest as one row, "not given" last. */
export function countryRows(t: T, byCountry: LetterStats['byCountry']): { label: string; count: number }[] {
  const given = Object.entries(byCountry).filter(([c, n]) => c && n > 0).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const rows = given.slice(0, TOP_COUNTRIES).map(([c, n]) => ({ label: t.country(c), count: n }));
  const rest = given.slice(TOP_COUNTRIES).reduce((a, [, n]) => a + n, 0);
  if (rest) rows.push({ label: t('chart.country.other'), count: rest });
  if (byCountry['']) rows.push({ label: t('chart.country.none'), count: byCountry['']! });
  return rows;
}

const hourFmt = new Map<string, Intl.DateTimeFormat>();
function when(t: T, iso: string, unit: 'hour' | 'day'): string {
  if (unit === 'day') return t.date(iso);
  let f = hourFmt.get(t.lang);
  if (!f) {
    f = new Intl.DateTimeFormat(t.lang, { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' });
    if (hourFmt.size < 200) hourFmt.set(t.lang, f);
  }
  return f.format(new Date(iso));
}

function timeChart(t: T, stats: LetterStats): SafeHtml {
  const { unit, buckets } = timeBuckets(stats.hourly);
  if (!buckets.length) return html``;
  const rtl = t.dir === 'rtl';
  const max = Math.max(1, ...buckets.map((b) => b.count));
  const inner = W - 2 * PAD.side;
  const bw = inner / buckets.length;
  const y = (v: number) => PAD.top + (H - PAD.top - PAD.bottom) * (1 - v / max);
  // Time runs the way the page reads: right to left on a right-to-left page.
  const x = (i: number) => (rtl ? W - PAD.side - (i + 1) * bw : PAD.side + i * bw);
  const from = when(t, buckets[0]!.at, unit);
  const to = when(t, buckets[buckets.length - 1]!.at, unit);
  const label = t('chart.time.label', { from, to });
  const startX = rtl ? W - PAD.side : PAD.side;
  const endX = rtl ? PAD.side : W - PAD.side;
  return html`<figure class="chart">
<figcaption><h3 id="chart-time">${t('chart.time.heading')}</h3></figcaption>
<svg viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-labelledby="chart-time-title chart-time-desc" focusable="false">
<title id="chart-time-title">${t('chart.time.heading')}</title>
<desc id="chart-time-desc">${label}</desc>
<line x1="${PAD.side}" x2="${W - PAD.side}" y1="${y(0)}" y2="${y(0)}" stroke="#5b5b66" stroke-width="1"/>
<line x1="${PAD.side}" x2="${W - PAD.side}" y1="${y(max)}" y2="${y(max)}" stroke="#d9d9e0" stroke-width="1" stroke-dasharray="4 4"/>
<text x="${rtl ? W - PAD.side + 6 : PAD.side - 6}" y="${y(max) + 4}" text-anchor="end" font-size="12" fill="#5b5b66" direction="${t.dir}">${t.number(max)}</text>
${buckets.map((b, i) => html`<rect x="${(x(i) + bw * 0.1).toFixed(1)}" y="${y(b.count).toFixed(1)}" width="${Math.max(1, bw * 0.8).toFixed(1)}" height="${(y(0) - y(b.count)).toFixed(1)}" fill="#1b4d89"><title>${when(t, b.at, unit)}: ${t.number(b.count)}</title></rect>`)}
<text x="${startX}" y="${H - 10}" text-anchor="start" font-size="12" fill="#5b5b66" direction="${t.dir}">${from}</text>
${buckets.length > 1 ? html`<text x="${endX}" y="${H - 10}" text-anchor="end" font-size="12" fill="#5b5b66" direction="${t.dir}">${to}</text>` : ''}
</svg>
<details><summary>${t('chart.table')}</summary>
<table><thead><tr><th scope="col">${t('chart.time.day')}</th><th scope="col">${t('chart.count')}</th></tr></thead>
<tbody>${buckets.filter((b) => b.count > 0).map((b) => html`<tr><td>${when(t, b.at, unit)}</td><td>${t.number(b.count)}</td></tr>`)}</tbody></table>
</details>
</figure>`;
}

function countryChart(t: T, stats: LetterStats): SafeHtml {
  const rows = countryRows(t, stats.byCountry);
  if (!rows.length) return html``;
  const rtl = t.dir === 'rtl';
  const rowH = 26;
  const h = rows.length * rowH + 8;
  const labelW = 190;
  const barMax = W - labelW - 70;
  const max = Math.max(1, ...rows.map((r) => r.count));
  // Labels at the start side, bars growing towards the end side.
  const labelX = rtl ? W - 4 : 4;
  const barX = (len: number) => (rtl ? W - labelW - len : labelW);
  const valueX = (len: number) => (rtl ? W - labelW - len - 6 : labelW + len + 6);
  return html`<figure class="chart">
<figcaption><h3 id="chart-country">${t('chart.country.heading')}</h3></figcaption>
<svg viewBox="0 0 ${W} ${h}" width="100%" role="img" aria-labelledby="chart-country-title chart-country-desc" focusable="false">
<title id="chart-country-title">${t('chart.country.heading')}</title>
<desc id="chart-country-desc">${t('chart.country.label')}</desc>
${rows.map((r, i) => {
  const len = Math.max(2, (r.count / max) * barMax);
  const cy = 4 + i * rowH;
  return html`<text x="${labelX}" y="${cy + 17}" text-anchor="start" font-size="13" fill="#1d1d1f" direction="${t.dir}">${r.label}</text>
<rect x="${barX(len).toFixed(1)}" y="${cy + 4}" width="${len.toFixed(1)}" height="${rowH - 8}" fill="#1b4d89"/>
<text x="${valueX(len).toFixed(1)}" y="${cy + 17}" text-anchor="start" font-size="12" fill="#5b5b66" direction="${t.dir}">${t.number(r.count)}</text>`;
})}
</svg>
<details><summary>${t('chart.table')}</summary>
<table><thead><tr><th scope="col">${t('chart.country.name')}</th><th scope="col">${t('chart.count')}</th></tr></thead>
<tbody>${rows.map((r) => html`<tr><td>${r.label}</td><td>${t.number(r.count)}</td></tr>`)}</tbody></table>
</details>
</figure>`;
}

/** Both charts and the open data links, for the letter page (nothing while no one has signed). */
export function chartsSection(t: T, slug: string, stats: LetterStats): SafeHtml {
  if (!stats.count) return html``;
  return html`<section class="charts" aria-labelledby="charts-heading" lang="${t.lang}" dir="${t.dir}">
<h2 id="charts-heading" class="visually-hidden">${t('chart.count')}</h2>
${timeChart(t, stats)}
${countryChart(t, stats)}
<p class="open-data">${t('data.heading')}: <a href="/api/v1/letters/${slug}/signatures.csv" type="text/csv">${t('data.csv')}</a> · <a href="/api/v1/letters/${slug}/hourly.csv" type="text/csv">${t('data.stats')}</a></p>
</section>`;
}
